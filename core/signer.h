#ifndef PLEDGED_SIGNER_H
#define PLEDGED_SIGNER_H
/*
 * The Ed25519 signing key (libsodium crypto_sign).
 *
 * The key file holds one line "<kid> <base64 of the 32-byte seed>" and must
 * not be readable by group or others: signer_load refuses it otherwise. The
 * secret key lives in sodium_malloc memory (guard pages, locked, wiped by
 * signer_free). The kid is "ed25519-" + 16 hex digits of BLAKE2b(public
 * key), so it names the key itself.
 */
#include "core/clock.h"
#include "core/fault.h"

#include <stddef.h>

#define SIGNER_KID_MAX 32
#define SIGNER_SIG_B64 89 /* base64 of 64 bytes, with padding and NUL */
#define SIGNER_PK_B64 45  /* base64 of 32 bytes, with padding and NUL */

/* A published key as the database records it. */
struct key_info {
    char kid[SIGNER_KID_MAX];
    unsigned char public_key[32];
    char created_at[CLOCK_RFC3339_LEN];
    char retired_at[CLOCK_RFC3339_LEN]; /* "" while current */
};

struct signer {
    char kid[SIGNER_KID_MAX];
    unsigned char public_key[32];
    unsigned char *secret_key; /* 64 bytes of sodium_malloc memory */
};

/* Loads the key file. NULL with FAULT_NOT_FOUND (no file), FAULT_INVALID
 * (bad content, or mode allows group/other access) or FAULT_NOMEM. */
struct signer *signer_load(const char *path, struct fault *f);
void signer_free(struct signer *k);

/* Makes a new key in memory: NULL only with FAULT_NOMEM. */
struct signer *signer_generate(struct fault *f);

/* Writes k to path: mode 0600, fsync'd, atomically replacing any old file
 * (through path.new and rename). 0 or FAULT_INVALID. */
int signer_save(const struct signer *k, const char *path, struct fault *f)
    __attribute__((warn_unused_result));

/* Writes the base64 signature of msg[0..len). Cannot fail. */
void signer_sign(char out[SIGNER_SIG_B64], const struct signer *k,
                 const unsigned char *msg, size_t len);

/* The kid of a public key. */
void signer_kid(char out[SIGNER_KID_MAX], const unsigned char pk[32]);

#endif
