#ifndef PLEDGED_UUID_H
#define PLEDGED_UUID_H
/* Random (version 4) UUIDs in their lowercase 36-character text form. */
#include <stdbool.h>

#define UUID_STR_LEN 37 /* with NUL */

/* Fills out from libsodium's CSPRNG; sodium_init() must have run. */
void uuid_v4(char out[UUID_STR_LEN]);

/* The text form of 16 bytes (version and variant bits as given). */
void uuid_format(char out[UUID_STR_LEN], const unsigned char b[16]);

/* True for any 8-4-4-4-12 hex UUID text (either case). */
bool uuid_valid(const char *s);

#endif
