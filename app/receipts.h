#ifndef PLEDGED_APP_RECEIPTS_H
#define PLEDGED_APP_RECEIPTS_H
/*
 * Receipts as issued: signed once (core/receipt.h) and stored; whoever
 * asks again gets the stored bytes. Two signers racing store one receipt
 * (the first), and both return it.
 */
#include "core/fault.h"
#include "core/pledge.h"
#include "core/receipt.h"
#include "core/signer.h"

struct store;

/* The receipt of pledge p: the stored one, or signed now with k and
 * stored. FAULT_UNAVAILABLE if it cannot be stored (the pledge stands). */
int receipts_pledge(struct signed_doc *out, struct store *s,
                    const struct signer *k, const struct pledge *p,
                    struct fault *f) __attribute__((warn_unused_result));

/* The payment_receipt of payment entry e of pledge p, likewise (its
 * subject: receipt_payment_subject of the entry's provider and
 * reference). */
int receipts_payment(struct signed_doc *out, struct store *s,
                     const struct signer *k, const struct ledger_entry *e,
                     const struct pledge *p, struct fault *f)
    __attribute__((warn_unused_result));

/* The receipt of refund r of pledge p, likewise. */
int receipts_refund(struct signed_doc *out, struct store *s,
                    const struct signer *k, const struct refund *r,
                    const struct pledge *p, struct fault *f)
    __attribute__((warn_unused_result));

#endif
