/* CORS: who may call which route from a page on another origin. */
#include "api/handlers.h"
#include "api/http.h"
#include "app/app.h"

#include <string.h>

/* True if origin may post pledges to campaign id: one of its
 * allowed_origins, or the origin this server is reached at (the demo
 * page's own). */
static bool campaign_allows(const struct request *req, const char *origin)
{
    const char *host = req->header(req, "Host");
    if (host && (strncmp(origin, "http://", 7) == 0 &&
                 strcmp(origin + 7, host) == 0))
        return true;
    struct campaign c;
    struct totals t;
    bool ok = false;
    if (app_campaign_public(&c, &t, req->api->app, req->params[0], NULL) == 0)
        for (size_t i = 0; i < c.norigins && !ok; i++)
            ok = strcmp(c.origins[i], origin) == 0;
    return ok;
}

bool cors_apply(struct reply *out, const struct request *req,
                const struct route *rt)
{
    const char *origin = req->header(req, "Origin");
    if (rt == NULL)
        return false;
    switch (rt->cors) {
    case CORS_PUBLIC:
        /* The same headers with or without an Origin: a shared cache may
         * hand any of these responses to anyone. */
        reply_header(out, "Access-Control-Allow-Origin", "*");
        reply_header(out, "Access-Control-Expose-Headers",
                     "ETag, Idempotent-Replayed, Retry-After");
        return true;
    case CORS_CAMPAIGN:
        /* Per origin: say so on every response, Origin or not. */
        reply_header(out, "Vary", "Origin");
        if (origin && strlen(origin) < 128 && campaign_allows(req, origin)) {
            reply_header(out, "Access-Control-Allow-Origin", origin);
            reply_header(out, "Access-Control-Expose-Headers",
                         "Idempotent-Replayed, Retry-After");
            return true;
        }
        return false;
    case CORS_NONE:
        return false;
    }
    return false;
}
