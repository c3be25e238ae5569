/* Staff finding a gift, and a campaign's money per day or hour
 * (docs/ADMIN.md). */
#include "api/handlers.h"
#include "app/search.h"
#include "core/utf8.h"

#include <string.h>

#define QUERY_MAX 254 /* an email address at most */

struct found {
    json_t *list;
};

static int add_found(void *ctx, const struct pledge_row *r)
{
    struct found *fd = ctx;
    return json_array_append_new(fd->list, admin_pledge(r));
}

/* q: one line of valid UTF-8, 1 to 254 bytes, no control characters. */
static bool query_ok(const char *q)
{
    size_t n = q ? strlen(q) : 0;
    if (n == 0 || n > QUERY_MAX || !utf8_valid(q, n, NULL))
        return false;
    for (const unsigned char *p = (const unsigned char *)q; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return false;
    return true;
}

void handle_admin_pledge_search(struct reply *out, struct request *req)
{
    char who[TOKEN_NAME_MAX + 1];
    if (!require_admin(who, out, req))
        return;
    const char *q = req->query(req, "q");
    if (!query_ok(q)) {
        reply_error(out, 422, "invalid_value", "q",
                    "q is required: a donor's name or email (or part of "
                    "it), an amount, or a pledge id; 1 to 254 bytes of "
                    "text without control characters");
        return;
    }
    int64_t limit;
    if (!query_int(&limit, req, "limit", 1, 500, 50)) {
        reply_error(out, 422, "invalid_value", "limit",
                    "limit must be an integer from 1 to 500");
        return;
    }
    struct fault f = {0};
    struct found fd = {.list = json_array()};
    if (admin_pledges_search(req->api->app, who, req->params[0], q,
                             (int)limit, add_found, &fd, &f) == 0)
        reply_json_take(out, 200, json_pack("{s:O}", "pledges", fd.list));
    else
        reply_fault(out, &f);
    json_decref(fd.list);
}

struct series {
    json_t *list;
    int64_t raised, collected;
};

static int add_point(void *ctx, const struct series_point *p)
{
    struct series *sr = ctx;
    /* Running totals: the sums are checked by the ledger's own bounds
     * (2^53 - 1), so they cannot overflow here. */
    sr->raised += p->raised_minor;
    sr->collected += p->collected_minor;
    return json_array_append_new(
        sr->list,
        json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "start",
                  p->start, "pledged_minor", (json_int_t)p->pledged_minor,
                  "raised_minor", (json_int_t)p->raised_minor,
                  "collected_minor", (json_int_t)p->collected_minor,
                  "pledges", (json_int_t)p->pledges, "refunds",
                  (json_int_t)p->refunds, "raised_total_minor",
                  (json_int_t)sr->raised, "collected_total_minor",
                  (json_int_t)sr->collected));
}

void handle_admin_series(struct reply *out, struct request *req)
{
    char who[TOKEN_NAME_MAX + 1];
    if (!require_admin(who, out, req))
        return;
    const char *bucket = req->query(req, "bucket");
    if (bucket == NULL)
        bucket = "day";
    if (strcmp(bucket, "day") != 0 && strcmp(bucket, "hour") != 0) {
        reply_error(out, 422, "invalid_value", "bucket",
                    "bucket is \"day\" or \"hour\"");
        return;
    }
    struct fault f = {0};
    struct campaign c;
    struct series sr = {.list = json_array()};
    if (admin_series(&c, req->api->app, req->params[0],
                     strcmp(bucket, "hour") == 0, add_point, &sr, &f) == 0)
        reply_json_take(out, 200,
                        json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:O}",
                                  "campaign_id", c.id, "currency",
                                  c.currency, "bucket", bucket, "time_zone",
                                  "UTC", "raised_minor", (json_int_t)sr.raised,
                                  "collected_minor",
                                  (json_int_t)sr.collected, "buckets",
                                  sr.list));
    else
        reply_fault(out, &f);
    json_decref(sr.list);
}
