#ifndef PLEDGED_WEBHOOK_SIG_H
#define PLEDGED_WEBHOOK_SIG_H
/*
 * Signatures of our outbound webhooks, as Standard Webhooks 1.0 defines
 * them (github.com/standard-webhooks/standard-webhooks, spec/
 * standard-webhooks.md), so that a receiver can check them with the
 * official libraries and nothing of ours:
 *
 *   webhook-id:        msg_...            (the same on every retry)
 *   webhook-timestamp: 1700000000         (Unix seconds, decimal)
 *   webhook-signature: v1,<b64> v1a,<b64> (space separated)
 *
 * Both schemes sign the same content, `id + "." + timestamp + "." + body`,
 * the body byte for byte as sent:
 * - v1:  base64 HMAC-SHA256, keyed with the endpoint's secret: "whsec_" +
 *        base64 of 24 to 64 random bytes, the KEY being the decoded bytes
 *        (not the text, unlike Stripe's whsec_ secrets: core/stripe_sig.h);
 * - v1a: base64 Ed25519 signature by our receipt key (core/signer.h), whose
 *        public half GET /v1/keys publishes: for receivers that would
 *        rather hold no shared secret.
 * Base64 is the standard alphabet with padding, as the libraries write it.
 *
 * Pure: no I/O, no clock (the caller passes the timestamp), no secret byte
 * copied anywhere but to the caller's buffers and the stack, which is
 * wiped.
 */
#include "core/fault.h"
#include "core/signer.h"

#include <stddef.h>
#include <stdint.h>

#define WEBHOOK_KEY_MIN 24   /* secret bytes, Standard Webhooks' bounds */
#define WEBHOOK_KEY_MAX 64
#define WEBHOOK_KEY_NEW 32   /* what webhook_secret_new draws */
#define WEBHOOK_SECRET_MAX 95 /* "whsec_" + base64 of 64 bytes + NUL */
#define WEBHOOK_ID_MAX 65     /* an id: 1..64 of [A-Za-z0-9_-], + NUL */
#define WEBHOOK_TS_MAX 21     /* an int64 in decimal + NUL */
#define WEBHOOK_V1_MAX 48     /* "v1," + base64 of 32 bytes + NUL */
#define WEBHOOK_V1A_MAX 93    /* "v1a," + base64 of 64 bytes + NUL */
#define WEBHOOK_SIGNATURE_MAX (WEBHOOK_V1_MAX + WEBHOOK_V1A_MAX)

/* Writes a new secret, "whsec_" + base64 of WEBHOOK_KEY_NEW bytes from
 * libsodium's randombytes. Cannot fail. */
void webhook_secret_new(char out[WEBHOOK_SECRET_MAX]);

/* Decodes a secret ("whsec_" + standard base64 with padding of
 * WEBHOOK_KEY_MIN..WEBHOOK_KEY_MAX bytes, blanks around it trimmed) into
 * key[0..*len). 0, or FAULT_INVALID on field "secret" (the message never
 * quotes the secret). The caller wipes key when done. */
int webhook_secret_parse(unsigned char key[WEBHOOK_KEY_MAX], size_t *len,
                         const char *secret, struct fault *f)
    __attribute__((warn_unused_result));

/* 0 when id can be a webhook-id we send: 1..WEBHOOK_ID_MAX-1 characters
 * of [A-Za-z0-9_-] (no '.', so that the signed content splits one way
 * only; nothing a header could not carry); FAULT_INVALID on field
 * "webhook-id" otherwise. */
int webhook_id_check(const char *id, struct fault *f)
    __attribute__((warn_unused_result));

/* Writes "v1," + base64 HMAC-SHA256(key, id.timestamp.body[0..len)).
 * 0, or FAULT_INVALID: a key length outside WEBHOOK_KEY_MIN..MAX (field
 * "secret"), an id webhook_id_check refuses (field "webhook-id"), or a
 * negative timestamp (field "webhook-timestamp"). */
int webhook_sign_v1(char out[WEBHOOK_V1_MAX], const unsigned char *key,
                    size_t keylen, const char *id, int64_t timestamp,
                    const char *body, size_t len, struct fault *f)
    __attribute__((warn_unused_result));

/* Writes "v1a," + base64 Ed25519 signature by k of the same content.
 * 0, FAULT_INVALID as webhook_sign_v1 (id, timestamp), or FAULT_NOMEM
 * (the content is signed in one piece, so it is copied once). */
int webhook_sign_v1a(char out[WEBHOOK_V1A_MAX], const struct signer *k,
                     const char *id, int64_t timestamp, const char *body,
                     size_t len, struct fault *f)
    __attribute__((warn_unused_result));

/* The three header values of one delivery attempt. */
struct webhook_headers {
    char id[WEBHOOK_ID_MAX];
    char timestamp[WEBHOOK_TS_MAX];
    char signature[WEBHOOK_SIGNATURE_MAX]; /* "v1,..." or "v1,... v1a,..." */
};

/* Fills *out: v1 with key[0..keylen) when keylen > 0, then v1a by k when
 * k is not NULL (at least one of the two is required: FAULT_INVALID on
 * field "secret" otherwise). Faults as the functions above. */
int webhook_headers_make(struct webhook_headers *out, const unsigned char *key,
                         size_t keylen, const struct signer *k, const char *id,
                         int64_t timestamp, const char *body, size_t len,
                         struct fault *f) __attribute__((warn_unused_result));

#endif
