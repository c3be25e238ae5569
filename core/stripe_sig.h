#ifndef PLEDGED_STRIPE_SIG_H
#define PLEDGED_STRIPE_SIG_H
/*
 * Stripe webhook signatures, checked as Stripe documents them
 * (docs.stripe.com/webhooks, "Verify signatures manually"):
 *
 *   Stripe-Signature: t=1700000000,v1=5257a8...,v1=9c1f04...,v0=...
 *
 * - t is the Unix time Stripe signed at (decimal digits, exactly one t);
 * - each v1 is the lowercase hex HMAC-SHA256 of the signed payload
 *   `t + "." + body` (t as written in the header, body as received, byte
 *   for byte: never a re-serialised JSON), keyed with the endpoint's
 *   signing secret, the whole "whsec_..." string as bytes;
 * - other schemes (v0, the test-mode scheme) and unknown items are ignored;
 * - during a secret rotation Stripe sends one v1 per live secret, and we may
 *   hold several secrets ourselves (PLEDGED_STRIPE_WEBHOOK_SECRET, comma
 *   separated): the header is valid when ANY v1 matches ANY secret;
 * - t must lie within STRIPE_SIG_TOLERANCE seconds of the caller's now,
 *   either way: an old delivery is a possible replay, one from the far
 *   future a forged or broken clock (Stripe's libraries check only age).
 *
 * Comparisons are constant time (sodium_memcmp) and every (secret, v1)
 * pair is compared, match or not. Pure: no I/O and no clock; no secret
 * byte is copied anywhere but to the stack, which is wiped.
 */
#include "core/fault.h"

#include <stddef.h>
#include <stdint.h>

#define STRIPE_SIG_TOLERANCE 300   /* seconds, Stripe's default */
#define STRIPE_SIG_HEADER_MAX 4096 /* a longer header is refused */
#define STRIPE_SIG_MAX_V1 16       /* v1 values looked at, at most */
#define STRIPE_SIG_MAX_SECRETS 8   /* secrets looked at, at most */

/* Verifies header (the Stripe-Signature value) over payload[0..len)
 * against secrets ("whsec_a" or "whsec_a, whsec_b": commas, blanks around
 * each trimmed, empty items skipped) at time now (Unix seconds).
 *
 * Returns 0 when valid; *timestamp (may be NULL) is then the header's t.
 * Otherwise FAULT_INVALID with field "Stripe-Signature" and a message that
 * says which rule failed, one of:
 *   "malformed header"        (NULL, empty, too long, two t, t not digits)
 *   "no timestamp"            (no t item)
 *   "no v1 signature"         (no v1 item of 64 lowercase hex digits)
 *   "timestamp outside the tolerance"
 *   "no signature matches"
 * or FAULT_INTERNAL when secrets holds no secret (the caller should not
 * accept webhooks at all then). Nothing is allocated. */
int stripe_sig_verify(int64_t *timestamp, const char *header,
                      const unsigned char *payload, size_t len,
                      const char *secrets, int64_t now, struct fault *f)
    __attribute__((warn_unused_result));

#endif
