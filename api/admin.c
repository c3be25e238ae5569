/* Admin endpoints: Bearer-token authentication and campaign listing. */
#include "api/handlers.h"
#include "api/present.h"
#include "api/ratelimit.h"
#include "app/admin.h"
#include "core/clock.h"
#include "core/pledge.h"
#include "core/receipt.h"
#include "core/token.h"

#include <sodium.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void unauthorized(struct reply *out, struct request *req,
                         const char *message)
{
    if (req->api->auth_limit)
        (void)ratelimit_take(req->api->auth_limit, req->client_addr,
                             req->client_addr_len, NULL);
    reply_header(out, "WWW-Authenticate", "Bearer realm=\"pledged admin\"");
    reply_error(out, 401, "unauthorized", NULL, message);
}

bool require_admin(char name[TOKEN_NAME_MAX + 1], struct reply *out,
                   struct request *req)
{
    unsigned wait;
    if (req->api->auth_limit &&
        !ratelimit_peek(req->api->auth_limit, req->client_addr,
                        req->client_addr_len, &wait)) {
        reply_rate_limited(out, wait,
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
    struct fault f = {0};
    int rc = admin_token_check(name, req->api->app, auth + 7,
                               strlen(auth + 7), &f);
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
    char who[TOKEN_NAME_MAX + 1];
    if (!require_admin(who, out, req))
        return;
    struct fault f = {0};
    json_t *list = json_array();
    if (admin_campaigns_list(req->api->app, add_campaign, list, &f) == 0)
        reply_json_take(out, 200, json_pack("{s:O}", "campaigns", list));
    else
        reply_fault(out, &f);
    json_decref(list);
}

/* ---- campaign create and update --------------------------------------- */

static bool wrong_type(struct reply *out, const char *field, const char *want)
{
    char msg[80];
    snprintf(msg, sizeof msg, "%s must be %s", field, want);
    reply_error(out, 400, "wrong_type", field, msg);
    return false;
}

static bool invalid(struct reply *out, const char *field, const char *msg)
{
    reply_error(out, 422, "invalid_value", field, msg);
    return false;
}

static bool get_int(int64_t *dst, struct reply *out, json_t *body,
                    const char *field)
{
    json_t *v = json_object_get(body, field);
    if (v == NULL)
        return true;
    if (!json_is_integer(v))
        return wrong_type(out, field, "an integer");
    *dst = json_integer_value(v);
    return true;
}

static bool get_text(char *dst, size_t cap, struct reply *out, json_t *body,
                     const char *field)
{
    json_t *v = json_object_get(body, field);
    if (v == NULL)
        return true;
    if (!json_is_string(v))
        return wrong_type(out, field, "a string");
    if (json_string_length(v) >= cap)
        return invalid(out, field, "too long");
    memcpy(dst, json_string_value(v), json_string_length(v) + 1);
    return true;
}

/* Applies the fields present in body onto c. create: id and currency may
 * be set (they are fixed afterwards). False with a 400/422 in out. */
static bool apply_fields(struct campaign *c, struct reply *out, json_t *body,
                         bool create)
{
    static const char *const fields[] = {
        "id", "title", "currency", "goal_minor", "tiers", "min_custom_minor",
        "max_custom_minor", "deadline", "status", "allowed_origins",
        "provider", "shown_total", "payment_link", "pledge_ttl_s",
        "supporters_list"};
    if (!json_is_object(body))
        return wrong_type(out, "body", "a JSON object");
    if (!body_fields_known(out, body, fields, sizeof fields / sizeof *fields,
                           "this field is not part of a campaign"))
        return false;
    json_t *v;
    if (!create && (json_object_get(body, "id") ||
                    json_object_get(body, "currency")))
        return invalid(out, json_object_get(body, "id") ? "id" : "currency",
                       "id and currency cannot change after creation");
    if (!get_text(c->id, sizeof c->id, out, body, "id") ||
        !get_text(c->title, sizeof c->title, out, body, "title") ||
        !get_text(c->currency, sizeof c->currency, out, body, "currency") ||
        !get_int(&c->goal_minor, out, body, "goal_minor") ||
        !get_int(&c->min_custom_minor, out, body, "min_custom_minor") ||
        !get_int(&c->max_custom_minor, out, body, "max_custom_minor"))
        return false;
    if ((v = json_object_get(body, "tiers")) != NULL) {
        if (!json_is_array(v))
            return wrong_type(out, "tiers", "an array of integers");
        if (json_array_size(v) > CAMPAIGN_TIERS_MAX)
            return invalid(out, "tiers", "too many tiers");
        c->ntiers = json_array_size(v);
        for (size_t i = 0; i < c->ntiers; i++) {
            json_t *t = json_array_get(v, i);
            if (!json_is_integer(t))
                return wrong_type(out, "tiers", "an array of integers");
            c->tiers[i] = json_integer_value(t);
        }
    }
    if ((v = json_object_get(body, "deadline")) != NULL) {
        if (json_is_null(v)) {
            c->has_deadline = false;
        } else if (!json_is_string(v)) {
            return wrong_type(out, "deadline", "an RFC 3339 string or null");
        } else if (clock_parse(&c->deadline_us, json_string_value(v)) != 0) {
            return invalid(out, "deadline", "deadline must be an RFC 3339 "
                                            "time in years 1970 to 9999");
        } else {
            c->has_deadline = true;
        }
    }
    if ((v = json_object_get(body, "status")) != NULL) {
        if (!json_is_string(v))
            return wrong_type(out, "status", "\"open\" or \"closed\"");
        if (strcmp(json_string_value(v), "open") != 0 &&
            strcmp(json_string_value(v), "closed") != 0)
            return invalid(out, "status", "status is \"open\" or \"closed\"");
        c->open = strcmp(json_string_value(v), "open") == 0;
    }
    if ((v = json_object_get(body, "allowed_origins")) != NULL) {
        if (!json_is_array(v))
            return wrong_type(out, "allowed_origins", "an array of strings");
        if (json_array_size(v) > CAMPAIGN_ORIGINS_MAX)
            return invalid(out, "allowed_origins", "too many origins");
        c->norigins = json_array_size(v);
        for (size_t i = 0; i < c->norigins; i++) {
            json_t *o = json_array_get(v, i);
            if (!json_is_string(o))
                return wrong_type(out, "allowed_origins",
                                  "an array of strings");
            if (json_string_length(o) > CAMPAIGN_ORIGIN_MAX)
                return invalid(out, "allowed_origins", "origin too long");
            memcpy(c->origins[i], json_string_value(o),
                   json_string_length(o) + 1);
        }
    }
    if ((v = json_object_get(body, "supporters_list")) != NULL) {
        if (!json_is_string(v))
            return wrong_type(out, "supporters_list",
                              "\"off\", \"public\" or \"moderated\"");
        if (supporters_list_parse(&c->supporters, json_string_value(v)) != 0)
            return invalid(out, "supporters_list",
                           "supporters_list is \"off\", \"public\" or "
                           "\"moderated\"");
    }
    if (!apply_money_fields(c, out, body, create))
        return false;
    struct fault f = {0};
    if (campaign_validate(c, &f) != 0) {
        reply_fault(out, &f);
        return false;
    }
    return true;
}

void handle_admin_campaign_create(struct reply *out, struct request *req)
{
    char who[TOKEN_NAME_MAX + 1];
    struct idem idem;
    if (!require_admin(who, out, req) || request_idem(&idem, out, req) != 0)
        return;
    json_t *body = request_json(out, req);
    if (body == NULL)
        return;
    struct campaign c;
    campaign_defaults(&c);
    struct fault f = {0};
    if (!json_object_get(body, "id") || !json_object_get(body, "title") ||
        !json_object_get(body, "currency") ||
        !json_object_get(body, "goal_minor") || !json_object_get(body, "tiers"))
        invalid(out, NULL, "id, title, currency, goal_minor and tiers are "
                           "required");
    else if (apply_fields(&c, out, body, true)) {
        struct campaign stored;
        struct totals t;
        bool replayed;
        if (admin_campaign_create(&stored, &t, &replayed, req->api->app, who,
                                  &c, &idem, &f) == 0) {
            reply_json_take(out, 201, present_campaign(&stored, &t));
            if (replayed)
                reply_header(out, "Idempotent-Replayed", "true");
        } else if (f.code == FAULT_CONFLICT) {
            reply_error(out, 409, "conflict", "id",
                        "a campaign with this id exists");
        } else {
            reply_fault(out, &f);
        }
    }
    json_decref(body);
}

void handle_admin_campaign_update(struct reply *out, struct request *req)
{
    char who[TOKEN_NAME_MAX + 1];
    if (!require_admin(who, out, req))
        return;
    json_t *body = request_json(out, req);
    if (body == NULL)
        return;
    struct fault f = {0};
    struct campaign c;
    struct totals t;
    if (admin_campaign_get(&c, &t, req->api->app, req->params[0], &f) != 0) {
        reply_fault(out, &f);
    } else if (apply_fields(&c, out, body, false)) {
        char *detail = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
        struct campaign stored;
        if (admin_campaign_update(&stored, &t, req->api->app, who, &c,
                                  detail ? detail : "", &f) != 0)
            reply_fault(out, &f);
        else
            reply_json_take(out, 200, present_campaign(&stored, &t));
        free(detail);
    }
    json_decref(body);
}

/* ---- pledges, refunds, audit ------------------------------------------ */

json_t *admin_pledge(const struct pledge_row *r)
{
    const struct pledge *p = &r->pledge;
    json_t *o = present_pledge(p);
    /* Staff see the private fields too. */
    json_object_set_new(o, "donor_name",
                        p->donor_name[0] ? json_string(p->donor_name)
                                         : json_null());
    json_object_set_new(o, "donor_email",
                        p->donor_email[0] ? json_string(p->donor_email)
                                          : json_null());
    json_object_set_new(o, "refunded", json_boolean(r->refunded));
    json_object_set_new(o, "payment_status", json_string(r->status));
    json_object_set_new(o, "paid_minor", json_integer(r->paid_minor));
    json_object_set_new(o, "moderation",
                        r->moderation[0] ? json_string(r->moderation)
                                         : json_null());
    return o;
}

struct page {
    json_t *list;
    int64_t last_seq;
};

static int add_pledge(void *ctx, const struct pledge_row *r)
{
    struct page *pg = ctx;
    pg->last_seq = r->pledge.seq;
    return json_array_append_new(pg->list, admin_pledge(r));
}

bool query_int(int64_t *out, const struct request *req,
                      const char *name, int64_t lo, int64_t hi, int64_t dflt)
{
    const char *v = req->query(req, name);
    *out = dflt;
    if (v == NULL)
        return true;
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (*v == '\0' || *end != '\0' || errno != 0 || n < lo || n > hi)
        return false;
    *out = n;
    return true;
}

void handle_admin_pledges(struct reply *out, struct request *req)
{
    char who[TOKEN_NAME_MAX + 1];
    if (!require_admin(who, out, req))
        return;
    int64_t limit, after;
    if (!query_int(&limit, req, "limit", 1, 500, 50)) {
        invalid(out, "limit", "limit must be an integer from 1 to 500");
        return;
    }
    if (!query_int(&after, req, "after", 1, INT64_MAX, 0)) {
        invalid(out, "after", "after must be the seq of the last pledge seen");
        return;
    }
    struct fault f = {0};
    struct page pg = {.list = json_array()};
    if (admin_pledges_page(req->api->app, who, req->params[0], after,
                           (int)limit, add_pledge, &pg, &f) == 0) {
        bool more = (int64_t)json_array_size(pg.list) == limit;
        reply_json_take(out, 200,
                        json_pack("{s:O, s:o}", "pledges", pg.list, "next",
                                  more ? json_integer(pg.last_seq)
                                       : json_null()));
    } else {
        reply_fault(out, &f);
    }
    json_decref(pg.list);
}

static json_t *present_refund(const struct refund *r)
{
    return json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:I, s:s}", "id", r->id,
                     "pledge_id", r->pledge_id, "campaign_id", r->campaign_id,
                     "amount_minor", (json_int_t)r->amount_minor, "currency",
                     r->currency, "kind", "refund", "seq", (json_int_t)r->seq,
                     "created_at", r->created_at);
}

void handle_admin_refund(struct reply *out, struct request *req)
{
    char who[TOKEN_NAME_MAX + 1];
    if (!require_admin(who, out, req))
        return;
    struct idem idem;
    if (request_idem(&idem, out, req) != 0)
        return;
    if (req->body_len > 0) { /* no fields yet: the body may only be {} */
        json_t *body = request_json(out, req);
        if (body == NULL)
            return;
        bool empty = json_is_object(body) && json_object_size(body) == 0;
        json_decref(body);
        if (!empty) {
            reply_error(out, 400, "unknown_field", NULL,
                        "a refund takes no fields");
            return;
        }
    }
    struct fault f = {0};
    struct refund rf;
    struct signed_doc receipt = {0};
    bool replayed;
    if (admin_refund(&rf, &receipt, &replayed, req->api->app, who,
                     req->params[0], &idem, &f) != 0) {
        reply_fault(out, &f);
    } else if (receipt.body == NULL) {
        reply_header(out, "Retry-After", "1");
        reply_error(out, 503, "receipt_unavailable", NULL,
                    "the refund is recorded but its receipt could not be "
                    "stored: retry with the same Idempotency-Key");
    } else {
        reply_json_take(out, 201,
                        json_pack("{s:o, s:o}", "refund", present_refund(&rf),
                                  "receipt",
                                  signed_doc_json(&receipt, "receipt")));
        if (replayed)
            reply_header(out, "Idempotent-Replayed", "true");
    }
    signed_doc_release(&receipt);
}

void handle_admin_audit(struct reply *out, struct request *req)
{
    char who[TOKEN_NAME_MAX + 1];
    if (!require_admin(who, out, req))
        return;
    struct fault f = {0};
    struct audit *a = malloc(sizeof *a);
    if (a == NULL) {
        fault_set(&f, FAULT_NOMEM, NULL, "out of memory");
        reply_fault(out, &f);
    } else if (admin_audit(a, req->api->app, who, req->params[0], &f) != 0) {
        reply_fault(out, &f);
    } else {
        json_t *problems = json_array();
        for (size_t i = 0;
             i < a->ledger.nproblems && i < LEDGER_PROBLEMS_MAX; i++)
            json_array_append_new(problems,
                                  json_string(a->ledger.problems[i]));
        reply_json_take(
            out, 200,
            json_pack("{s:b, s:I, s:I, s:I, s:I, s:I, s:o}", "ok",
                      ledger_check_ok(&a->ledger), "entries",
                      (json_int_t)a->ledger.entries, "raised_minor",
                      (json_int_t)a->ledger.raised_minor, "supporters",
                      (json_int_t)a->ledger.supporters, "receipts",
                      (json_int_t)a->receipts, "problem_count",
                      (json_int_t)a->ledger.nproblems, "problems", problems));
    }
    free(a);
}
