#ifndef PLEDGED_HEX_H
#define PLEDGED_HEX_H
/*
 * The one hex codec: lowercase on the way out, exact on the way in. Hashes
 * travel as hex in receipts, exports, the API and Postgres's bytea text
 * ("\x" + hex), and all of them go through here.
 */
#include <stddef.h>

/* Hex text of a 32-byte hash with its NUL. */
#define HEX32_LEN 65

/* Writes 2 * len lowercase hex digits and a NUL to out. */
void hex_encode(char *out, const unsigned char *bin, size_t len);

/* Reads exactly 2 * len hex digits (either case) from text, which must end
 * there: 0, or -1 (wrong length or a non-hex character; out undefined). */
int hex_decode(unsigned char *out, size_t len, const char *text);

#endif
