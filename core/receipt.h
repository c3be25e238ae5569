#ifndef PLEDGED_RECEIPT_H
#define PLEDGED_RECEIPT_H
/*
 * Receipts and signed heads: signed statements anyone can check offline.
 *
 *   {"receipt": R, "signature": S}   {"head": H, "signature": S}
 *
 * S is the base64 Ed25519 signature of canonical(R) (RFC 8785). A receipt
 * is signed once, after its ledger entry committed, and stored; a replay
 * returns the stored one. Heads are signed on demand from one read of the
 * totals, so H's seq, entry_hash and raised_minor always belong together.
 *
 * struct signed_doc owns `body` (canonical JSON of R or H, NUL-terminated);
 * signed_doc_release frees it and accepts an empty doc.
 */
#include "core/campaign.h"
#include "core/fault.h"
#include "core/pledge.h"
#include "core/signer.h"

#include <jansson.h>

#include <stdbool.h>
#include <stddef.h>

struct signed_doc {
    char *body;
    char signature[SIGNER_SIG_B64];
};

void signed_doc_release(struct signed_doc *d);

/* Builds and signs the receipt of a committed pledge. issued_at is the
 * entry's created_at, so the receipt is a pure function of the entry and
 * the key (Ed25519 is deterministic): signing it again gives the same
 * bytes. (Stored once by app/receipts.h.) */
int receipt_pledge_sign(struct signed_doc *out, const struct signer *k,
                        const struct pledge *p, struct fault *f)
    __attribute__((warn_unused_result));

/* The receipt of refund r of pledge p, likewise. */
int receipt_refund_sign(struct signed_doc *out, const struct signer *k,
                        const struct refund *r, const struct pledge *p,
                        struct fault *f) __attribute__((warn_unused_result));

/* The receipt subject of a payment: a uuid (version 8) derived from its
 * provider and reference, the same whoever records it and however often. */
void receipt_payment_subject(char out[UUID_STR_LEN], const char *provider,
                             const char *reference);

/* Builds and signs the payment_receipt of payment entry e of pledge p:
 * what was received, how, when (the entry's created_at), at which seq and
 * entry_hash. A pure function of the entry and the key, like the others. */
int receipt_payment_sign(struct signed_doc *out, const struct signer *k,
                         const struct ledger_entry *e, const struct pledge *p,
                         struct fault *f) __attribute__((warn_unused_result));

/* Signs the head of campaign c at totals t. */
int receipt_head(struct signed_doc *out, const struct signer *k,
                 const struct campaign *c, const struct totals *t,
                 struct fault *f) __attribute__((warn_unused_result));

/* Signs canonical(v) (taken, even on failure) into out. */
int receipt_sign_take(struct signed_doc *out, const struct signer *k,
                      json_t *v, struct fault *f)
    __attribute__((warn_unused_result));

/* Finds the public key of a kid: 0 and pk filled, or FAULT_NOT_FOUND. */
typedef int key_lookup_fn(unsigned char pk[32], void *ctx, const char *kid);

/* Verifies a document {"receipt"|"head"|"manifest": object,
 * "signature": string}. The wrapper is bound to the signed "type": a
 * "receipt" holds a pledge_receipt or refund_receipt, a "head" a
 * campaign_head, a "manifest" a ledger_manifest; anything else is not
 * valid, whatever the signature.
 * Returns 0 with *valid set (false for an unknown kid, bad base64, a
 * wrong signature or a wrapper that does not fit) and kid copied out (may
 * be ""), or FAULT_INVALID (field named) when the document does not have
 * that shape. */
int receipt_verify(bool *valid, char kid[SIGNER_KID_MAX], const json_t *doc,
                   key_lookup_fn *lookup, void *ctx, struct fault *f)
    __attribute__((warn_unused_result));

/* The signed "type" of a document whose wrapper fits it (see above), or
 * NULL. The string belongs to doc. */
const char *receipt_doc_type(const json_t *doc);

#endif
