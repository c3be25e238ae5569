#ifndef PLEDGED_TOKEN_H
#define PLEDGED_TOKEN_H
/*
 * Admin tokens: 32 random bytes as URL-safe base64 text, shown once.
 * Only BLAKE2b-256(token text) is stored; a high-entropy token needs no slow
 * hash, and the lookup is an index probe on the hash.
 */
#include "core/clock.h"

#include <stdbool.h>
#include <stddef.h>

#define TOKEN_TEXT_LEN 44 /* 43 base64 characters and a NUL */
#define TOKEN_NAME_MAX 64

/* An admin token as staff see it (never the token itself). */
struct token_info {
    char name[TOKEN_NAME_MAX + 1];
    char created_at[CLOCK_RFC3339_LEN];
    char revoked_at[CLOCK_RFC3339_LEN]; /* "" while live */
};

void token_hash(unsigned char out[32], const char *token, size_t len);

/* True if name is 1..64 of [A-Za-z0-9_.-]. */
bool token_name_valid(const char *name);

/* A new random token's text and its hash. */
void token_generate(char out[TOKEN_TEXT_LEN], unsigned char hash[32]);

#endif
