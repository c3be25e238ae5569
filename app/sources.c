#include "app/sources.h"
#include "core/campaign.h"
#include "store/pool.h"

int admin_sources(struct campaign *c, struct app *a, const char *campaign_id,
                  int (*fn)(void *ctx, const struct source_total *t),
                  void *ctx, struct fault *f)
{
    struct store *s;
    int rc = app_campaign_store(&s, c, a, campaign_id, f);
    if (rc == 0)
        rc = store_sources(s, c->id, fn, ctx, f);
    if (s)
        pool_release(a->pool, s);
    return rc;
}
