#include "app/search.h"
#include "app/admin.h"
#include "core/campaign.h"
#include "core/money.h"
#include "core/uuid.h"
#include "store/pool.h"

#include <stdio.h>
#include <string.h>

int admin_pledges_search(struct app *a, const char *who,
                         const char *campaign_id, const char *q, int limit,
                         int (*fn)(void *ctx, const struct pledge_row *p),
                         void *ctx, struct fault *f)
{
    struct campaign c;
    struct store *s;
    int rc = app_campaign_store(&s, &c, a, campaign_id, f);
    struct pledge_query pq = {.text = q};
    if (rc == 0) {
        if (uuid_valid(q)) {
            pq.id = q;
            pq.text = NULL;
        }
        int64_t m;
        const struct currency *cur = currency_find(c.currency);
        if (pq.id == NULL && cur && money_parse(&m, q, cur) == 0 && m >= 0) {
            pq.has_amount = true;
            pq.amount_minor = m;
        }
        char detail[80];
        snprintf(detail, sizeof detail, "by=%s limit=%d",
                 pq.id ? "id" : pq.has_amount ? "amount,text" : "text", limit);
        struct admin_action log = {who, "pledges.search", c.id, detail};
        rc = store_admin_log(s, &log, f);
    }
    if (rc == 0)
        rc = store_pledges_search(s, c.id, &pq, limit, fn, ctx, f);
    if (s)
        pool_release(a->pool, s);
    return rc;
}

int admin_series(struct campaign *c, struct app *a, const char *campaign_id,
                 bool hour, int (*fn)(void *ctx, const struct series_point *p),
                 void *ctx, struct fault *f)
{
    struct store *s;
    int rc = app_campaign_store(&s, c, a, campaign_id, f);
    if (rc == 0)
        rc = store_series(s, c->id, hour, fn, ctx, f);
    if (s)
        pool_release(a->pool, s);
    return rc;
}
