#include "app/payments.h"

#include "app/app.h"
#include "app/keyed.h"
#include "app/receipts.h"
#include "core/clock.h"
#include "core/uuid.h"
#include "store/pool.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct receive_ctx {
    int64_t amount;
    const char *currency, *provider, *reference, *method, *reason;
};

static int decide_receive(void *ctx, const struct pledge *p,
                          const struct pledge_money *m,
                          struct money_move *moves, size_t *n, struct fault *f)
{
    struct receive_ctx *c = ctx;
    if (c->currency && strcmp(c->currency, p->currency) != 0)
        return fault_set(f, FAULT_CURRENCY, "currency",
                         "the pledge is in %s, the payment in %s",
                         p->currency, c->currency);
    return payment_receive(moves, n, m, c->amount, c->provider, c->reference,
                           c->method, f);
}

static int decide_reverse(void *ctx, const struct pledge *p,
                          const struct pledge_money *m,
                          struct money_move *moves, size_t *n, struct fault *f)
{
    (void)p;
    struct receive_ctx *c = ctx;
    return payment_reverse(moves, n, m, c->amount, c->provider, c->reference,
                           c->reason, f);
}

static int decide_void(void *ctx, const struct pledge *p,
                       const struct pledge_money *m, struct money_move *moves,
                       size_t *n, struct fault *f)
{
    (void)ctx, (void)p, (void)f;
    payment_void(moves, n, m);
    return 0;
}

/* The payment's receipt, stored once (its subject is derived from the
 * provider's reference, so whoever signs first, all get the same). */
static void sign_receipt(struct payment_result *res, struct app *a,
                         struct store *s)
{
    struct pledge p;
    memset(&res->receipt, 0, sizeof res->receipt);
    if (a->signer == NULL ||
        store_pledge_get(&p, s, res->entry.pledge_id, NULL) != 0 ||
        receipts_payment(&res->receipt, s, a->signer, &res->entry, &p,
                         NULL) != 0)
        res->receipt.body = NULL;
}

/* The entry a provider's reference was recorded as, for a repeat. */
static int find_recorded(struct payment_result *res, struct store *s,
                         const char *provider, const char *reference,
                         enum entry_kind kind, struct fault *f)
{
    res->recorded = false;
    return store_entry_by_reference(&res->entry, s, provider, reference, kind,
                                    f);
}

struct append_run {
    struct money_append *m;
    struct store *s;
};

static int append_op(void *ctx, struct fault *f)
{
    struct append_run *r = ctx;
    return store_money_append(r->m, r->s, f);
}

int payments_append(struct payment_result *res, struct app *a,
                    struct money_append *m, const char *provider,
                    const char *reference, enum entry_kind kind,
                    struct fault *f)
{
    memset(res, 0, sizeof *res);
    struct store *s = pool_acquire(a->pool, POOL_WAIT_MS, f);
    if (s == NULL)
        return FAULT_UNAVAILABLE;
    struct fault local = {0};
    struct append_run run = {m, s};
    int rc = keyed_run(append_op, &run, &local);
    if (rc == FAULT_CONFLICT && strcmp(local.field, "reference") == 0)
        rc = find_recorded(res, s, provider, reference, kind, f);
    else if (rc)
        fault_set(f, rc, local.field, "%s", local.message);
    else if (m->n > 0)
        res->entry = m->entries[0], res->recorded = true;
    if (rc == 0 && res->entry.seq > 0 && kind == ENTRY_PAYMENT)
        sign_receipt(res, a, s);
    pool_release(a->pool, s);
    return rc;
}

int payments_receive(struct payment_result *res, struct app *a,
                     const char *who, const char *pledge_id, int64_t amount,
                     const char *currency, const char *provider,
                     const char *reference, const char *method,
                     struct fault *f)
{
    struct receive_ctx c = {amount, currency, provider, reference, method,
                            NULL};
    struct admin_action log = {who, "payment.record", pledge_id, reference};
    struct money_append m = {.pledge_id = pledge_id,
                             .decide = decide_receive,
                             .ctx = &c,
                             .log = who ? &log : NULL};
    return payments_append(res, a, &m, provider, reference, ENTRY_PAYMENT, f);
}

int payments_offline(struct payment_result *res, bool *replayed,
                     struct app *a, const char *who, const char *pledge_id,
                     int64_t amount, const char *method,
                     const struct idem *idem, struct fault *f)
{
    static const char *const methods[] = {"cheque", "bank_transfer", "cash",
                                          "other"};
    bool known = false;
    for (size_t i = 0; i < sizeof methods / sizeof *methods; i++)
        known |= method && strcmp(method, methods[i]) == 0;
    if (!known)
        return fault_set(f, FAULT_INVALID, "method",
                         "method is cheque, bank_transfer, cash or other");
    *replayed = false;
    memset(res, 0, sizeof *res);
    struct store *s = pool_acquire(a->pool, POOL_WAIT_MS, f);
    if (s == NULL)
        return FAULT_UNAVAILABLE;
    struct idem_record rec;
    int rc = keyed_lookup(&rec, s, idem, "payment", f);
    if (rc == 1) {
        *replayed = true;
        rc = store_entry_by_reference(&res->entry, s, "offline",
                                      rec.resource_id, ENTRY_PAYMENT, f);
        if (rc == 0)
            sign_receipt(res, a, s);
    }
    pool_release(a->pool, s);
    if (rc != 0 || *replayed)
        return rc;
    char id[UUID_STR_LEN];
    uuid_v4(id);
    struct receive_ctx c = {amount, NULL, "offline", id, method, NULL};
    struct admin_action log = {who, "payment.record", pledge_id, id};
    struct money_append m = {.pledge_id = pledge_id,
                             .decide = decide_receive,
                             .ctx = &c,
                             .idem = idem,
                             .resource = "payment",
                             .resource_id = id,
                             .log = who ? &log : NULL};
    return payments_append(res, a, &m, "offline", id, ENTRY_PAYMENT, f);
}

int payments_reverse(struct payment_result *res, struct app *a,
                     const char *pledge_id, int64_t amount,
                     const char *provider, const char *reference,
                     const char *reason, struct fault *f)
{
    struct receive_ctx c = {amount, NULL, provider, reference, NULL, reason};
    struct money_append m = {.pledge_id = pledge_id,
                             .decide = decide_reverse,
                             .ctx = &c};
    return payments_append(res, a, &m, provider, reference, ENTRY_PAYMENT_REVERSAL, f);
}

int payments_void(bool *voided, struct app *a, const char *pledge_id,
                  struct fault *f)
{
    *voided = false;
    struct store *s = pool_acquire(a->pool, POOL_WAIT_MS, f);
    if (s == NULL)
        return FAULT_UNAVAILABLE;
    struct money_append m = {.pledge_id = pledge_id, .decide = decide_void};
    int rc = store_money_append(&m, s, f);
    *voided = rc == 0 && m.n == 1;
    pool_release(a->pool, s);
    return rc;
}

struct sweep {
    struct app *a;
    size_t count;
};

static int void_one(void *ctx, const char *pledge_id)
{
    struct sweep *sw = ctx;
    bool voided;
    struct fault f = {0};
    if (payments_void(&voided, sw->a, pledge_id, &f) != 0)
        return f.code == FAULT_UNAVAILABLE ? f.code : 0;
    sw->count += voided;
    return 0;
}

int payments_sweep(size_t *count, struct app *a, int64_t now_us, int limit,
                   struct fault *f)
{
    struct sweep sw = {a, 0};
    *count = 0;
    /* The list is read on a connection of its own: each void takes one
     * from the pool while the list is walked. */
    struct store *s = store_new(a->conninfo);
    if (s == NULL)
        return fault_set(f, FAULT_NOMEM, NULL, "out of memory");
    int rc = store_stale_pledges(s, now_us, limit, void_one, &sw, f);
    store_free(s);
    *count = sw.count;
    return rc;
}

int payments_state(struct pledge_money *m, struct app *a,
                   const char *pledge_id, struct fault *f)
{
    struct pledge p;
    struct store *s = pool_acquire(a->pool, POOL_WAIT_MS, f);
    int rc = s ? store_pledge_get(&p, s, pledge_id, f) : FAULT_UNAVAILABLE;
    if (rc == 0)
        rc = store_pledge_money(m, s, &p, f);
    pool_release(a->pool, s);
    return rc;
}

void payments_sweep_job(struct app *a)
{
    size_t count = 0;
    struct fault f = {0};
    while (payments_sweep(&count, a, clock_now_us(), 200, &f) == 0 &&
           count == 200)
        ;
    if (f.code)
        fprintf(stderr, "pledged: sweep: %s\n", f.message);
}
