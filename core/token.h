#ifndef PLEDGED_TOKEN_H
#define PLEDGED_TOKEN_H
/*
 * Admin tokens: 32 random bytes shown once as URL-safe base64 (no padding).
 * Only BLAKE2b-256(token text) is stored; a high-entropy token needs no slow
 * password hash.
 */
#include "core/fault.h"

#include <stddef.h>

#define TOKEN_TEXT_LEN 44 /* 43 base64 characters and a NUL */

struct store;

void token_hash(unsigned char out[32], const char *token, size_t len);

/* Makes a token for name, stores its hash and writes the token to out.
 * FAULT_INVALID for a bad name, FAULT_CONFLICT if the name exists. */
int token_create(char out[TOKEN_TEXT_LEN], struct store *s, const char *name,
                 struct fault *f) __attribute__((warn_unused_result));

#endif
