#include "api/handlers.h"

#include "api/present.h"
#include "core/campaign.h"
#include "core/pool.h"
#include "core/store.h"

/* How long a request waits for a database connection before 503. */
#define POOL_WAIT_MS 2000

void handle_healthz(struct reply *out, struct request *req)
{
    (void)req;
    reply_json_take(out, 200, json_pack("{s:s}", "status", "ok"));
}

void handle_readyz(struct reply *out, struct request *req)
{
    struct fault f = {0};
    struct store *s = pool_acquire(req->app->pool, POOL_WAIT_MS, &f);
    if (s && store_ping(s, &f) == 0)
        reply_json_take(out, 200, json_pack("{s:s}", "status", "ready"));
    else
        reply_fault(out, &f);
    pool_release(req->app->pool, s);
}

void handle_campaign_get(struct reply *out, struct request *req)
{
    struct fault f = {0};
    struct campaign c;
    struct totals t;
    const char *id = req->params[0];
    if (!campaign_id_valid(id)) {
        reply_error(out, 404, "not_found", NULL, "no such campaign");
        return;
    }
    struct store *s = pool_acquire(req->app->pool, POOL_WAIT_MS, &f);
    if (s && store_campaign_get(&c, &t, s, id, &f) == 0)
        reply_json_take(out, 200, present_campaign(&c, &t));
    else
        reply_fault(out, &f);
    pool_release(req->app->pool, s);
}
