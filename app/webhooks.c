#include "app/webhooks.h"

#include "app/app.h"
#include "app/keyed.h"
#include "store/pool.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

struct create_run {
    struct webhook_endpoint *ep;
    bool *replayed;
    struct store *s;
    int64_t from;
    const char *who;
    const struct idem *idem;
};

static int create_op(void *ctx, struct fault *f)
{
    struct create_run *r = ctx;
    struct idem_record rec;
    int rc = keyed_lookup(&rec, r->s, r->idem, "webhook", f);
    if (rc < 0)
        return rc;
    if (rc == 1) {
        *r->replayed = true;
        return store_webhook_get(r->ep, r->s, rec.resource_id, f);
    }
    uuid_v4(r->ep->id);
    webhook_secret_new(r->ep->secret);
    struct admin_action log = {r->who, "webhook.create", r->ep->id,
                               r->ep->url};
    return store_webhook_create(r->s, r->ep, r->from, r->who, r->idem,
                                r->who ? &log : NULL, f);
}

int webhooks_create(struct webhook_endpoint *ep, bool *replayed,
                    struct app *a, const char *who,
                    const struct webhook_spec *spec, const struct idem *idem,
                    struct fault *f)
{
    *replayed = false;
    memset(ep, 0, sizeof *ep);
    int rc = webhook_url_check(spec->url, f);
    if (rc)
        return rc;
    snprintf(ep->url, sizeof ep->url, "%s", spec->url);
    memcpy(ep->types, spec->types, sizeof ep->types);
    ep->ntypes = spec->ntypes;
    ep->ed25519 = spec->ed25519;
    ep->personal = spec->personal;
    struct store *s = pool_acquire(a->pool, POOL_WAIT_MS, f);
    struct create_run r = {ep, replayed, s, spec->from, who ? who : "cli",
                           idem};
    rc = s ? keyed_run(create_op, &r, f) : FAULT_UNAVAILABLE;
    pool_release(a->pool, s);
    return rc;
}

int webhooks_list(struct app *a,
                  int (*fn)(void *ctx, const struct webhook_endpoint *e),
                  void *ctx, struct fault *f)
{
    struct store *s = pool_acquire(a->pool, POOL_WAIT_MS, f);
    int rc = s ? store_webhooks_list(s, fn, ctx, f) : FAULT_UNAVAILABLE;
    pool_release(a->pool, s);
    return rc;
}

int webhooks_replay(struct webhook_endpoint *ep, struct app *a,
                    const char *who, const char *id, int64_t from,
                    struct fault *f)
{
    if (!uuid_valid(id))
        return fault_set(f, FAULT_NOT_FOUND, NULL, "no such webhook");
    if (from < 1)
        return fault_set(f, FAULT_INVALID, "from",
                         "from is the event_seq to deliver again from (1 or "
                         "more)");
    char detail[32];
    snprintf(detail, sizeof detail, "from=%lld", (long long)from);
    struct admin_action log = {who, "webhook.replay", id, detail};
    struct store *s = pool_acquire(a->pool, POOL_WAIT_MS, f);
    int rc = s ? store_webhook_replay(s, id, from, who ? &log : NULL, f)
               : FAULT_UNAVAILABLE;
    if (rc == 0)
        rc = store_webhook_get(ep, s, id, f);
    pool_release(a->pool, s);
    return rc;
}

int webhooks_delete(struct app *a, const char *who, const char *id,
                    struct fault *f)
{
    if (!uuid_valid(id))
        return fault_set(f, FAULT_NOT_FOUND, NULL, "no such webhook");
    struct admin_action log = {who, "webhook.delete", id, ""};
    struct store *s = pool_acquire(a->pool, POOL_WAIT_MS, f);
    int rc = s ? store_webhook_delete(s, id, who ? &log : NULL, f)
               : FAULT_UNAVAILABLE;
    pool_release(a->pool, s);
    return rc;
}
