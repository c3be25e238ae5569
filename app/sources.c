#include "app/sources.h"
#include "core/campaign.h"
#include "store/pool.h"

int admin_sources(struct campaign *c, struct app *a, const char *campaign_id,
                  int (*fn)(void *ctx, const struct source_total *t),
                  void *ctx, struct fault *f)
{
    if (!campaign_id_valid(campaign_id))
        return fault_set(f, FAULT_NOT_FOUND, NULL, "no such campaign");
    struct store *s = pool_acquire(a->pool, POOL_WAIT_MS, f);
    int rc = s ? store_campaign_get(c, NULL, s, campaign_id, f)
               : FAULT_UNAVAILABLE;
    if (rc == 0)
        rc = store_sources(s, c->id, fn, ctx, f);
    if (s)
        pool_release(a->pool, s);
    return rc;
}
