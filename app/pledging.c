#include "app/pledging.h"

#include "app/keyed.h"

#include "core/uuid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pledging_item_init(struct batch_item *it, const char *campaign_id,
                        const struct idem *idem)
{
    memset(it, 0, sizeof *it);
    uuid_v4(it->pledge.id);
    snprintf(it->pledge.campaign_id, sizeof it->pledge.campaign_id, "%s",
             campaign_id);
    it->idem = idem;
}

static int check_request(void *ctx, size_t i, const struct campaign *c,
                         struct pledge *p, struct fault *f)
{
    const struct pledge_request *const *reqs = ctx;
    return pledge_fill(p, c, reqs[i], f);
}

struct batch_run {
    struct store *s;
    struct batch_item *items;
    size_t n;
    const struct pledge_request *const *reqs;
};

static int batch_op(void *ctx, struct fault *f)
{
    struct batch_run *b = ctx;
    return store_pledge_batch(b->s, b->items, b->n, check_request,
                              (void *)b->reqs, f);
}

/* After the commit: the pledge a replayed item's key made before. */
static void resolve_replay(struct store *s, struct batch_item *it)
{
    struct idem_record rec;
    int rc = keyed_lookup(&rec, s, it->idem, "pledge", &it->fault);
    if (rc == 1)
        rc = store_pledge_get(&it->pledge, s, rec.resource_id, &it->fault);
    else if (rc == 0) /* its first request did not commit after all */
        rc = fault_set(&it->fault, FAULT_IDEM_IN_FLIGHT, NULL,
                       "a request with this Idempotency-Key is in flight");
    it->rc = rc;
}

int pledging_batch(struct store *s, struct batch_item *items, size_t n,
                   const struct pledge_request *const *reqs, struct fault *f)
{
    struct batch_run b = {s, items, n, reqs};
    int rc = keyed_run(batch_op, &b, f);
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (items[i].rc == 0 && items[i].replayed)
            resolve_replay(s, &items[i]);
    return rc;
}

int pledging_make(struct pledge *out, bool *replayed, struct store *s,
                  const char *campaign_id, const struct pledge_request *req,
                  const struct idem *idem, struct fault *f)
{
    *replayed = false;
    int rc = pledge_request_check(req, f);
    if (rc)
        return rc;
    if (!campaign_id_valid(campaign_id))
        return fault_set(f, FAULT_NOT_FOUND, NULL, "no such campaign");
    struct batch_item *it = malloc(sizeof *it);
    if (it == NULL)
        return fault_set(f, FAULT_NOMEM, NULL, "out of memory");
    pledging_item_init(it, campaign_id, idem);
    const struct pledge_request *reqs[1] = {req};
    rc = pledging_batch(s, it, 1, reqs, f);
    if (rc == 0 && (rc = it->rc) != 0)
        fault_set(f, rc, it->fault.field, "%s", it->fault.message);
    if (rc == 0) {
        *out = it->pledge;
        *replayed = it->replayed;
    }
    free(it);
    return rc;
}

struct refund_run {
    struct refund *out;
    bool *replayed;
    struct store *s;
    const char *pledge_id;
    const struct idem *idem;
    const struct admin_action *log;
    const char *reversal_ref;
    char own_ref[LEDGER_REF_MAX + 1];
};

static int decide_refund(void *ctx, const struct pledge *p,
                         const struct pledge_money *m, struct money_move *moves,
                         size_t *n, struct fault *f)
{
    (void)p;
    struct refund_run *r = ctx;
    return payment_refund(moves, n, m, r->reversal_ref ? r->reversal_ref
                                                       : r->own_ref, f);
}

static int refund_op(void *ctx, struct fault *f)
{
    struct refund_run *r = ctx;
    struct idem_record rec;
    int rc = keyed_lookup(&rec, r->s, r->idem, "refund", f);
    if (rc < 0)
        return rc;
    if (rc == 1) {
        *r->replayed = true;
        return store_refund_get(r->out, r->s, rec.resource_id, f);
    }
    memset(r->out, 0, sizeof *r->out);
    uuid_v4(r->out->id);
    /* Money given back by hand (no provider call) is named by the refund. */
    snprintf(r->own_ref, sizeof r->own_ref, "refund-%s", r->out->id);
    struct money_append m = {.pledge_id = r->pledge_id,
                             .decide = decide_refund,
                             .ctx = r,
                             .idem = r->idem,
                             .resource = "refund",
                             .resource_id = r->out->id,
                             .refund_id = r->out->id,
                             .log = r->log};
    if ((rc = store_money_append(&m, r->s, f)) != 0)
        return rc;
    if (m.n == 0)
        return fault_set(f, FAULT_INTERNAL, NULL, "a refund appended nothing");
    return store_refund_get(r->out, r->s, r->out->id, f);
}

int pledging_refund(struct refund *out, bool *replayed, struct store *s,
                    const char *pledge_id, const char *reversal_ref,
                    const struct idem *idem, const struct admin_action *log,
                    struct fault *f)
{
    *replayed = false;
    struct refund other;
    if (store_refund_get(&other, s, pledge_id, NULL) == 0)
        return fault_set(f, FAULT_CONFLICT, NULL,
                         "%s is a refund, and a refund cannot be refunded",
                         pledge_id);
    struct refund_run r = {.out = out,
                           .replayed = replayed,
                           .s = s,
                           .pledge_id = pledge_id,
                           .idem = idem,
                           .log = log,
                           .reversal_ref = reversal_ref};
    return keyed_run(refund_op, &r, f);
}
