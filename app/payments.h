#ifndef PLEDGED_APP_PAYMENTS_H
#define PLEDGED_APP_PAYMENTS_H
/*
 * Money that moves (docs/PAYMENTS.md): payments received (from a provider
 * or recorded by staff), money given back (refunds, disputes), promises
 * voided unpaid, and the sweep that voids promises past their campaign's
 * pledge_ttl_s. Each is one transaction on the pledge's campaign head
 * (store_money_append) deciding under the lock with core/payment.h's
 * rules, so concurrent webhooks, retries and sweeps on several instances
 * never count anything twice: a provider's reference is recorded once (a
 * unique index), a promise voided once.
 */
#include "core/fault.h"
#include "core/ledger.h"
#include "core/payment.h"
#include "core/pledge.h"
#include "core/receipt.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct app;

/* What a payment use case did. */
struct payment_result {
    struct ledger_entry entry; /* the entry appended (or found) */
    bool recorded;             /* false: the reference was recorded before */
    struct signed_doc receipt; /* payment_receipt; body NULL if none yet */
};

/* Records money received for pledge_id: amount in the pledge's currency
 * (a different currency is FAULT_CURRENCY), from provider with its
 * reference and method, and signs its payment_receipt. Recorded whatever
 * the pledge's state: money that arrived is counted. The same provider
 * reference again is not an error: *res says it was recorded before.
 * who (may be NULL) is logged with the entry. */
int payments_receive(struct payment_result *res, struct app *a,
                     const char *who, const char *pledge_id, int64_t amount,
                     const char *currency, const char *provider,
                     const char *reference, const char *method,
                     struct fault *f) __attribute__((warn_unused_result));

/* Staff record a cheque, bank transfer or cash gift (method cheque,
 * bank_transfer, cash or other) against a pledge, under an idempotency
 * key: provider "offline", reference a fresh uuid. A retry with the same
 * key replays (*replayed). */
int payments_offline(struct payment_result *res, bool *replayed,
                     struct app *a, const char *who, const char *pledge_id,
                     int64_t amount, const char *method,
                     const struct idem *idem, struct fault *f)
    __attribute__((warn_unused_result));

/* Money given back by the provider (reason "refund" or "dispute") for at
 * most what the pledge holds; the provider's reference recorded once. */
int payments_reverse(struct payment_result *res, struct app *a,
                     const char *pledge_id, int64_t amount,
                     const char *provider, const char *reference,
                     const char *reason, struct fault *f)
    __attribute__((warn_unused_result));

/* Voids a promise that is still open and unpaid (a declined card, an
 * expired checkout, the sweep): *voided false when there was nothing to
 * void. */
int payments_void(bool *voided, struct app *a, const char *pledge_id,
                  struct fault *f) __attribute__((warn_unused_result));

/* One sweep: voids up to limit promises past their campaign's
 * pledge_ttl_s at now_us; *count gets how many this call voided (another
 * instance sweeping at once voids the others: each exactly once). */
int payments_sweep(size_t *count, struct app *a, int64_t now_us, int limit,
                   struct fault *f) __attribute__((warn_unused_result));

/* The one way every money use case appends (store_money_append under the
 * key retry loop): m decides under the campaign's lock. A reference that
 * was recorded before is found and returned with recorded false; when m
 * decided nothing, *res is zeroed (entry.seq 0) and 0 is returned. A
 * payment gets its receipt signed. */
struct money_append;
int payments_append(struct payment_result *res, struct app *a,
                    struct money_append *m, const char *provider,
                    const char *reference, enum entry_kind kind,
                    struct fault *f) __attribute__((warn_unused_result));

/* The scheduler's job (app/scheduler.h): sweeps until nothing is left
 * past its time, logging a failure (the next run tries again). */
void payments_sweep_job(struct app *a);

/* The money of a pledge and its status (core/payment.h). */
int payments_state(struct pledge_money *m, struct app *a,
                   const char *pledge_id, struct fault *f)
    __attribute__((warn_unused_result));

#endif
