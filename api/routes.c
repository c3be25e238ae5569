/* The routing table: every endpoint of the server, in one place. */
#include "api/handlers.h"
#include "api/http.h"

#include <stdio.h>
#include <string.h>

static const struct route {
    const char *method;
    const char *pattern; /* "{}" matches one non-empty path segment */
    handler_fn *fn;
} routes[] = {
    {"GET", "/healthz", handle_healthz},
    {"GET", "/readyz", handle_readyz},
    {"GET", "/v1/campaigns/{}", handle_campaign_get},
    {"GET", "/v1/campaigns/{}/head", handle_head_get},
    {"POST", "/v1/campaigns/{}/pledges", handle_pledge_post},
    {"GET", "/v1/keys", handle_keys_get},
    {"POST", "/v1/receipts/verify", handle_verify_post},
};

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

handler_fn *route_find(struct reply *out, struct request *req)
{
    char allow[96] = "";
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        if (!match(req, routes[i].pattern))
            continue;
        if (strcmp(routes[i].method, req->method) == 0)
            return routes[i].fn;
        if (strstr(allow, routes[i].method) == NULL)
            snprintf(allow + strlen(allow), sizeof allow - strlen(allow),
                     "%s%s", allow[0] ? ", " : "", routes[i].method);
    }
    if (allow[0]) {
        reply_header(out, "Allow", allow);
        reply_error(out, 405, "method_not_allowed", NULL,
                    "method not allowed on this path");
    } else {
        reply_error(out, 404, "not_found", NULL, "no such endpoint");
    }
    return NULL;
}
