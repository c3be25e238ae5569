#include "app/admin.h"
#include "app/stripe_pay.h"

#include "app/app.h"
#include "app/keyed.h"
#include "app/keys.h"
#include "core/clock.h"
#include "app/pledging.h"
#include "app/receipts.h"
#include "store/pool.h"
#include "store/store.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct store *take(struct app *a, struct fault *f)
{
    return pool_acquire(a->pool, POOL_WAIT_MS, f);
}

int admin_token_check(char name[TOKEN_NAME_MAX + 1], struct app *a,
                      const char *token, size_t len, struct fault *f)
{
    unsigned char hash[32];
    token_hash(hash, token, len);
    struct store *s = take(a, f);
    int rc = s ? store_token_find(name, s, hash, f) : FAULT_UNAVAILABLE;
    pool_release(a->pool, s);
    return rc;
}

int admin_campaigns_list(struct app *a,
                         int (*fn)(void *ctx, const struct campaign *c,
                                   const struct totals *t),
                         void *ctx, struct fault *f)
{
    struct store *s = take(a, f);
    int rc = s ? store_campaigns_list(s, fn, ctx, f) : FAULT_UNAVAILABLE;
    pool_release(a->pool, s);
    return rc;
}

static int campaign_get(struct campaign *c, struct totals *t, struct store *s,
                        const char *id, struct fault *f)
{
    if (!campaign_id_valid(id))
        return fault_set(f, FAULT_NOT_FOUND, NULL, "no such campaign");
    return store_campaign_get(c, t, s, id, f);
}

int admin_campaign_get(struct campaign *c, struct totals *t, struct app *a,
                       const char *id, struct fault *f)
{
    struct store *s = take(a, f);
    int rc = s ? campaign_get(c, t, s, id, f) : FAULT_UNAVAILABLE;
    pool_release(a->pool, s);
    return rc;
}

struct create_run {
    struct campaign *stored;
    struct totals *t;
    bool *replayed;
    struct store *s;
    const struct campaign *c;
    const struct idem *idem;
    const struct admin_action *log;
};

static int create_op(void *ctx, struct fault *f)
{
    struct create_run *r = ctx;
    struct idem_record rec;
    int rc = keyed_lookup(&rec, r->s, r->idem, "campaign", f);
    if (rc < 0)
        return rc;
    if (rc == 1) {
        *r->replayed = true;
        return store_campaign_get(r->stored, r->t, r->s, rec.resource_id, f);
    }
    if (r->c->has_deadline && r->c->deadline_us <= clock_now_us())
        return fault_set(f, FAULT_INVALID, "deadline",
                         "a new campaign's deadline must be in the future");
    rc = store_campaign_create(r->s, r->c, r->idem, r->log, f);
    return rc ? rc : store_campaign_get(r->stored, r->t, r->s, r->c->id, f);
}

int admin_campaign_create(struct campaign *stored, struct totals *t,
                          bool *replayed, struct app *a, const char *who,
                          const struct campaign *c, const struct idem *idem,
                          struct fault *f)
{
    struct admin_action log = {who, "campaign.create", c->id, ""};
    *replayed = false;
    struct store *s = take(a, f);
    struct create_run r = {stored, t, replayed, s, c, idem, who ? &log : NULL};
    int rc = s ? keyed_run(create_op, &r, f) : FAULT_UNAVAILABLE;
    pool_release(a->pool, s);
    return rc;
}

int admin_campaign_update(struct campaign *stored, struct totals *t,
                          struct app *a, const char *who,
                          const struct campaign *c, const char *detail,
                          struct fault *f)
{
    struct admin_action log = {who, "campaign.update", c->id, detail};
    struct store *s = take(a, f);
    int rc = s ? store_campaign_update(s, c, who ? &log : NULL, f)
               : FAULT_UNAVAILABLE;
    if (rc == 0)
        rc = store_campaign_get(stored, t, s, c->id, f);
    pool_release(a->pool, s);
    return rc;
}

int admin_pledges_page(struct app *a, const char *who, const char *campaign_id, int64_t before,
                       int limit,
                       int (*fn)(void *ctx, const struct pledge_row *p),
                       void *ctx, struct fault *f)
{
    struct campaign c;
    struct store *s = take(a, f);
    int rc = s ? campaign_get(&c, NULL, s, campaign_id, f) : FAULT_UNAVAILABLE;
    if (rc == 0 && who) {
        char detail[64];
        snprintf(detail, sizeof detail, "after=%lld limit=%d",
                 (long long)before, limit);
        struct admin_action log = {who, "pledges.list", c.id, detail};
        rc = store_admin_log(s, &log, f);
    }
    if (rc == 0)
        rc = store_pledges_page(s, c.id, before, limit, fn, ctx, f);
    pool_release(a->pool, s);
    return rc;
}

int admin_refund(struct refund *r, struct signed_doc *receipt, bool *replayed,
                 struct app *a, const char *who, const char *pledge_id,
                 const struct idem *idem, struct fault *f)
{
    /* r->id is made before the transaction (pledging_refund), so the log
     * row that commits with the refund names it. */
    memset(receipt, 0, sizeof *receipt);
    int rc = keys_signing_check(a, f); /* a retired key signs nothing */
    if (rc)
        return rc;
    /* Money a card paid goes back through Stripe first (outside any
     * transaction; its own Idempotency-Key makes a retry safe), and the
     * ledger then records what Stripe says it gave back. */
    char back[LEDGER_REF_MAX + 1];
    if ((rc = stripe_refund_held(back, a, pledge_id, f)) != 0)
        return rc;
    struct admin_action log = {who, "pledge.refund", pledge_id, r->id};
    struct pledge *p = malloc(sizeof *p);
    struct store *s = p ? take(a, f) : NULL;
    rc = p == NULL   ? fault_set(f, FAULT_NOMEM, NULL, "out of memory")
             : s == NULL ? FAULT_UNAVAILABLE
                         : pledging_refund(r, replayed, s, pledge_id,
                                           back[0] ? back : NULL, idem,
                                           who ? &log : NULL, f);
    memset(receipt, 0, sizeof *receipt);
    if (rc == 0)
        rc = store_pledge_get(p, s, r->pledge_id, f);
    if (rc == 0 && (a->signer == NULL ||
                    receipts_refund(receipt, s, a->signer, r, p, NULL) != 0))
        receipt->body = NULL;
    pool_release(a->pool, s);
    free(p);
    return rc;
}

int admin_audit(struct audit *out, struct app *a, const char *who,
                const char *campaign_id, struct fault *f)
{
    struct store *s = take(a, f);
    int rc = s == NULL ? FAULT_UNAVAILABLE
             : !campaign_id_valid(campaign_id)
                 ? fault_set(f, FAULT_NOT_FOUND, NULL, "no such campaign")
                 : audit_run(out, s, campaign_id, f);
    if (rc == 0 && who) {
        struct admin_action log = {who, "campaign.audit", campaign_id,
                                   ledger_check_ok(&out->ledger) ? "ok"
                                                                 : "problems"};
        rc = store_admin_log(s, &log, f);
    }
    pool_release(a->pool, s);
    return rc;
}
