#include "app/receipts.h"

#include "store/store.h"

#include <string.h>

/* Gets the stored receipt of subject, or stores `fresh` and reads back
 * whichever receipt won. */
static int
get_or_put(struct signed_doc *out, struct store *s, const struct signer *k,
           const char *subject, const char *type,
           int (*sign)(struct signed_doc *, const void *, const void *,
                       const struct signer *, struct fault *),
           const void *a, const void *b, struct fault *f)
{
    struct fault lookup = {0};
    int rc = store_receipt_get(out, s, subject, &lookup);
    if (rc != FAULT_NOT_FOUND)
        return rc ? fault_set(f, rc, lookup.field, "%s", lookup.message) : 0;
    struct signed_doc fresh = {0};
    if ((rc = sign(&fresh, a, b, k, f)) != 0)
        return rc;
    rc = store_receipt_put(s, subject, type, &fresh, k->kid, f);
    signed_doc_release(&fresh);
    return rc ? rc : store_receipt_get(out, s, subject, f);
}

static int sign_pledge(struct signed_doc *out, const void *p, const void *b,
                       const struct signer *k, struct fault *f)
{
    (void)b;
    return receipt_pledge_sign(out, k, p, f);
}

static int sign_refund(struct signed_doc *out, const void *r, const void *p,
                       const struct signer *k, struct fault *f)
{
    return receipt_refund_sign(out, k, r, p, f);
}

static int sign_payment(struct signed_doc *out, const void *e, const void *p,
                        const struct signer *k, struct fault *f)
{
    return receipt_payment_sign(out, k, e, p, f);
}

int receipts_payment(struct signed_doc *out, struct store *s,
                     const struct signer *k, const struct ledger_entry *e,
                     const struct pledge *p, struct fault *f)
{
    char subject[UUID_STR_LEN];
    receipt_payment_subject(subject, e->provider, e->reference);
    return get_or_put(out, s, k, subject, "payment_receipt", sign_payment, e,
                      p, f);
}

int receipts_pledge(struct signed_doc *out, struct store *s,
                    const struct signer *k, const struct pledge *p,
                    struct fault *f)
{
    return get_or_put(out, s, k, p->id, "pledge_receipt", sign_pledge, p, NULL,
                      f);
}

int receipts_refund(struct signed_doc *out, struct store *s,
                    const struct signer *k, const struct refund *r,
                    const struct pledge *p, struct fault *f)
{
    return get_or_put(out, s, k, r->id, "refund_receipt", sign_refund, r, p, f);
}
