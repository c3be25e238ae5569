/* Admin endpoints: Bearer-token authentication and campaign listing. */
#include "api/handlers.h"
#include "api/present.h"
#include "api/ratelimit.h"
#include "core/pool.h"
#include "core/store.h"
#include "core/token.h"

#include <string.h>

static void unauthorized(struct reply *out, struct request *req,
                         const char *message)
{
    if (req->app->auth_limit)
        (void)ratelimit_take(req->app->auth_limit, req->client_addr,
                             req->client_addr_len, NULL);
    reply_header(out, "WWW-Authenticate", "Bearer realm=\"pledged admin\"");
    reply_error(out, 401, "unauthorized", NULL, message);
}

bool admin_auth(char name[65], struct reply *out, struct request *req)
{
    unsigned wait;
    if (req->app->auth_limit &&
        !ratelimit_peek(req->app->auth_limit, req->client_addr,
                        req->client_addr_len, &wait)) {
        char secs[16];
        snprintf(secs, sizeof secs, "%u", wait ? wait : 1);
        reply_header(out, "Retry-After", secs);
        reply_error(out, 429, "rate_limited", NULL,
                    "too many failed sign-ins from this address");
        return false;
    }
    const char *auth = req->header(req, "Authorization");
    if (auth == NULL || strncmp(auth, "Bearer ", 7) != 0 ||
        strlen(auth + 7) == 0 || strlen(auth + 7) > 256) {
        unauthorized(out, req, "send Authorization: Bearer <admin token>");
        return false;
    }
    /* Only the hash is compared (by the database's index): the token
     * itself is never stored or compared. */
    unsigned char hash[32];
    token_hash(hash, auth + 7, strlen(auth + 7));
    struct fault f = {0};
    struct store *s = pool_acquire(req->app->pool, POOL_WAIT_MS, &f);
    int rc = s ? store_token_find(name, s, hash, &f) : f.code;
    pool_release(req->app->pool, s);
    if (rc == FAULT_NOT_FOUND) {
        unauthorized(out, req, "unknown or revoked admin token");
        return false;
    }
    if (rc != 0) {
        reply_fault(out, &f);
        return false;
    }
    return true;
}

static int add_campaign(void *ctx, const struct campaign *c,
                        const struct totals *t)
{
    return json_array_append_new(ctx, present_campaign(c, t));
}

void handle_admin_campaigns(struct reply *out, struct request *req)
{
    char who[65];
    if (!admin_auth(who, out, req))
        return;
    struct fault f = {0};
    json_t *list = json_array();
    struct store *s = pool_acquire(req->app->pool, POOL_WAIT_MS, &f);
    if (s && store_campaigns_list(s, add_campaign, list, &f) == 0)
        reply_json_take(out, 200, json_pack("{s:O}", "campaigns", list));
    else
        reply_fault(out, &f);
    json_decref(list);
    pool_release(req->app->pool, s);
}
