/* The routing table: every endpoint of the server, in one place. */
#include "api/handlers.h"
#include "api/http.h"

#include <stdio.h>
#include <string.h>

static const struct route routes[] = {
    {"GET", "/", handle_index, CORS_NONE, false},
    {"GET", "/widget.js", handle_widget_js, CORS_PUBLIC, false},
    {"GET", "/verify.js", handle_verify_js, CORS_PUBLIC, false},
    {"GET", "/static/{}/widget.js", handle_widget_versioned, CORS_PUBLIC,
     false},
    {"GET", "/widget/strings/{}", handle_widget_strings, CORS_PUBLIC,
     false},
    {"GET", "/embed/{}", handle_embed, CORS_NONE, false},
    {"GET", "/healthz", handle_healthz, CORS_PUBLIC, false},
    {"GET", "/readyz", handle_readyz, CORS_PUBLIC, false},
    {"GET", "/metrics", handle_metrics, CORS_NONE, false},
    {"GET", "/v1/campaigns/{}", handle_campaign_get, CORS_PUBLIC, false},
    {"GET", "/v1/campaigns/{}/totals", handle_totals_get, CORS_PUBLIC, false},
    {"GET", "/v1/campaigns/{}/head", handle_head_get, CORS_PUBLIC, false},
    {"GET", "/v1/campaigns/{}/checkpoint", handle_checkpoint_get, CORS_PUBLIC,
     false},
    {"GET", "/v1/campaigns/{}/proof/inclusion", handle_proof_inclusion,
     CORS_PUBLIC, false},
    {"GET", "/v1/campaigns/{}/proof/consistency", handle_proof_consistency,
     CORS_PUBLIC, false},
    {"GET", "/v1/campaigns/{}/log/checkpoint", handle_checkpoint_get,
     CORS_PUBLIC, false},
    {"GET", "/v1/campaigns/{}/log/tile/{*}", handle_tile_get, CORS_PUBLIC,
     false},
    {"GET", "/v1/campaigns/{}/supporters", handle_supporters_get, CORS_PUBLIC,
     false},
    {"POST", "/v1/campaigns/{}/pledges", handle_pledge_post, CORS_CAMPAIGN,
     true},
    {"POST", "/v1/campaigns/{}/pledges/{}/card", handle_card_post,
     CORS_CAMPAIGN, true},
    {"POST", "/v1/providers/stripe/webhook", handle_stripe_webhook, CORS_NONE,
     false},
    {"GET", "/v1/keys", handle_keys_get, CORS_PUBLIC, false},
    {"POST", "/v1/receipts/verify", handle_verify_post, CORS_PUBLIC, true},
    {"GET", "/v1/admin/campaigns", handle_admin_campaigns, CORS_NONE, false},
    {"POST", "/v1/admin/campaigns", handle_admin_campaign_create, CORS_NONE,
     false},
    {"PATCH", "/v1/admin/campaigns/{}", handle_admin_campaign_update,
     CORS_NONE, false},
    {"GET", "/v1/admin/campaigns/{}/pledges", handle_admin_pledges, CORS_NONE,
     false},
    {"GET", "/v1/admin/campaigns/{}/audit", handle_admin_audit, CORS_NONE,
     false},
    {"GET", "/v1/admin/campaigns/{}/pledges/search", handle_admin_pledge_search,
     CORS_NONE, false},
    {"GET", "/v1/admin/campaigns/{}/series", handle_admin_series, CORS_NONE,
     false},
    {"GET", "/v1/admin/campaigns/{}/sources", handle_admin_sources, CORS_NONE,
     false},
    {"POST", "/v1/admin/pledges/{}/payments", handle_admin_payment_post,
     CORS_NONE, false},
    {"POST", "/v1/admin/pledges/{}/refund", handle_admin_refund, CORS_NONE,
     false},
    {"POST", "/v1/admin/pledges/{}/moderation", handle_admin_moderation,
     CORS_NONE, false},
    {"GET", "/v1/admin/campaigns/{}/ledger.csv", handle_export_csv, CORS_NONE,
     false},
    {"GET", "/v1/admin/campaigns/{}/ledger.jsonl", handle_export_jsonl,
     CORS_NONE, false},
    {"GET", "/v1/admin/campaigns/{}/ledger.manifest", handle_export_manifest,
     CORS_NONE, false},
    {"GET", "/v1/admin/events", handle_admin_events, CORS_NONE, false},
    {"GET", "/v1/admin/events/stream", handle_admin_events_stream, CORS_NONE,
     false},
    {"GET", "/v1/admin/webhooks", handle_admin_webhooks, CORS_NONE, false},
    {"POST", "/v1/admin/webhooks", handle_admin_webhook_create, CORS_NONE,
     false},
    {"POST", "/v1/admin/webhooks/{}/replay", handle_admin_webhook_replay,
     CORS_NONE, false},
    {"DELETE", "/v1/admin/webhooks/{}", handle_admin_webhook_delete,
     CORS_NONE, false},
    {"GET", "/v1/admin/tokens", handle_admin_tokens, CORS_NONE, false},
    {"POST", "/v1/admin/tokens", handle_admin_token_create, CORS_NONE, false},
    {"DELETE", "/v1/admin/tokens/{}", handle_admin_token_revoke, CORS_NONE,
     false},
    {"GET", "/admin", handle_admin_page, CORS_NONE, false},
    {"GET", "/admin.js", handle_admin_js, CORS_NONE, false},
    {"GET", "/admin/{}", handle_admin_asset, CORS_NONE, false},
};

#define NROUTES (sizeof routes / sizeof routes[0])
/* api/metrics.c counts requests per route, and one more for no route. */
_Static_assert(NROUTES < ROUTES_MAX, "raise ROUTES_MAX in api/http.h");

size_t route_count(void) { return NROUTES; }

const struct route *route_at(size_t i)
{
    return i < NROUTES ? &routes[i] : NULL;
}

size_t route_index(const struct route *rt) { return (size_t)(rt - routes); }

/* Matches path against pattern segment by segment, capturing {}. */
static bool match(struct request *req, const char *pattern)
{
    const char *p = pattern, *s = req->path;
    size_t n = 0;
    while (*p && *s) {
        if (*p != '/' || *s != '/')
            return false;
        p++, s++;
        size_t plen = strcspn(p, "/"), slen = strcspn(s, "/");
        if (strcmp(p, "{*}") == 0) { /* the rest of the path, last only */
            slen = strlen(s);
            if (slen == 0 || slen >= REQUEST_PARAM_LEN ||
                n == REQUEST_PARAMS_MAX)
                return false;
            memcpy(req->params[n], s, slen + 1);
            req->nparams = n + 1;
            return true;
        }
        if (plen == 2 && memcmp(p, "{}", 2) == 0) {
            if (slen == 0 || slen >= REQUEST_PARAM_LEN ||
                n == REQUEST_PARAMS_MAX)
                return false;
            memcpy(req->params[n], s, slen);
            req->params[n++][slen] = '\0';
        } else if (plen != slen || memcmp(p, s, plen) != 0) {
            return false;
        }
        p += plen, s += slen;
    }
    if (*p || *s)
        return false;
    req->nparams = n;
    return true;
}

static void preflight(struct reply *out, const struct request *req,
                      const char *allow, const struct route *rt)
{
    out->status = 204;
    reply_header(out, "Allow", allow);
    if (cors_apply(out, req, rt)) {
        reply_header(out, "Access-Control-Allow-Methods", allow);
        reply_header(out, "Access-Control-Allow-Headers",
                     "Content-Type, Idempotency-Key, If-None-Match");
        reply_header(out, "Access-Control-Max-Age", "600");
    }
}

const struct route *route_find(struct reply *out, struct request *req)
{
    char allow[96] = "";
    const struct route *hit = NULL, *first = NULL;
    /* HEAD is GET without the body (libmicrohttpd drops it). */
    const char *method = strcmp(req->method, "HEAD") == 0 ? "GET" : req->method;
    for (size_t i = 0; i < NROUTES; i++) {
        if (!match(req, routes[i].pattern))
            continue;
        if (strcmp(routes[i].method, method) == 0)
            hit = &routes[i];
        if (first == NULL || routes[i].cors == CORS_CAMPAIGN)
            first = &routes[i];
        if (strstr(allow, routes[i].method) == NULL)
            snprintf(allow + strlen(allow), sizeof allow - strlen(allow),
                     "%s%s", allow[0] ? ", " : "", routes[i].method);
    }
    if (hit) {
        match(req, hit->pattern); /* params of the winning route */
        return hit;
    }
    if (allow[0] && strcmp(req->method, "OPTIONS") == 0) {
        snprintf(allow + strlen(allow), sizeof allow - strlen(allow),
                 ", OPTIONS");
        match(req, first->pattern);
        preflight(out, req, allow, first);
    } else if (allow[0]) {
        reply_header(out, "Allow", allow);
        reply_error(out, 405, "method_not_allowed", NULL,
                    "method not allowed on this path");
    } else {
        reply_not_found(out, "endpoint");
    }
    return NULL;
}
