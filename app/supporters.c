#include "app/supporters.h"
#include "core/campaign.h"
#include "core/uuid.h"
#include "store/pool.h"

int supporters_recent(struct campaign *c, struct app *a,
                      const char *campaign_id,
                      int (*fn)(void *ctx, const struct supporter *p),
                      void *ctx, struct fault *f)
{
    struct store *s;
    int rc = app_campaign_store(&s, c, a, campaign_id, f);
    if (rc == 0 && c->supporters != SUPPORTERS_OFF)
        rc = store_supporters(s, c->id, c->supporters == SUPPORTERS_MODERATED,
                              SUPPORTERS_SHOWN, fn, ctx, f);
    if (s)
        pool_release(a->pool, s);
    return rc;
}

int admin_moderate(char campaign_id[CAMPAIGN_ID_MAX + 1], struct app *a,
                   const char *who, const char *pledge_id, const char *state,
                   struct fault *f)
{
    if (!uuid_valid(pledge_id))
        return fault_set(f, FAULT_NOT_FOUND, NULL, "no such pledge");
    struct store *s = pool_acquire(a->pool, POOL_WAIT_MS, f);
    if (s == NULL)
        return FAULT_UNAVAILABLE;
    struct admin_action log = {who, "pledge.moderate", pledge_id, state};
    int rc = store_moderate(campaign_id, s, pledge_id, state, &log, f);
    pool_release(a->pool, s);
    return rc;
}
