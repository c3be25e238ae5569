#ifndef PLEDGED_APP_KEYS_H
#define PLEDGED_APP_KEYS_H
/*
 * Signing keys as the world sees them: the public halves in the database
 * (GET /v1/keys), and verification of any document we signed.
 */
#include "core/fault.h"
#include "core/signer.h"

#include <jansson.h>
#include <stdbool.h>

struct app;

/* Calls fn for every published key, oldest first. */
int keys_list(struct app *a, int (*fn)(void *ctx, const struct key_info *k),
              void *ctx, struct fault *f) __attribute__((warn_unused_result));

/* Publishes k's public half as the current key; with rotate, every other
 * key is retired in the same transaction. FAULT_CONFLICT without rotate
 * when another key is current, or when k itself was retired: nothing may
 * sign with a retired key. */
int keys_publish(struct app *a, const struct signer *k, bool rotate,
                 struct fault *f) __attribute__((warn_unused_result));

/* How often a serving instance looks again at whether its own key is
 * still the current one. */
#define KEYS_CHECK_MS 2000

/* 0 while the app's signer is not retired; FAULT_KEY_RETIRED once another
 * instance's `pledged keygen --rotate` retired it: from then on this
 * process signs nothing (receipts, heads) and says so, until it is
 * restarted with the current key (or the database calls its key current
 * again). Looks the kid up at most every
 * KEYS_CHECK_MS (a pledge admitted in that window is still signed with the
 * old key, which verifies; SECURITY.md). A database it cannot reach is not
 * a retirement: 0. */
int keys_signing_check(struct app *a, struct fault *f)
    __attribute__((warn_unused_result));

/* Verifies a signed document (receipt_verify) against the published keys.
 * When the database cannot be reached, local (may be NULL) stands in for
 * its own kid; a document that does not verify while the database is
 * unreachable is FAULT_UNAVAILABLE, never "invalid". */
int keys_verify(bool *valid, char kid[SIGNER_KID_MAX], struct app *a,
                const json_t *doc, const struct signer *local, struct fault *f)
    __attribute__((warn_unused_result));

#endif
