/* POST /v1/campaigns/{id}/pledges: parse, validate, record, receipt. */
#include "api/handlers.h"
#include "api/metrics.h"
#include "api/present.h"
#include "core/pledge.h"
#include "core/pool.h"
#include "core/receipt.h"
#include "core/store.h"

#include <sodium.h>
#include <string.h>

/* Reads an optional string field: 0 (absent or null: *s = NULL), 1, or -1
 * after a 400 for a wrong type. */
static int opt_string(struct reply *out, json_t *body, const char *name,
                      const char **s, size_t *len)
{
    json_t *v = json_object_get(body, name);
    *s = NULL;
    *len = 0;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_string(v)) {
        reply_error(out, 400, "wrong_type", name, "expected a string");
        return -1;
    }
    *s = json_string_value(v);
    *len = json_string_length(v);
    return 1;
}

static const char *const pledge_fields[] = {
    "amount_minor", "currency", "donor_name", "donor_email", "anonymous",
    "message",
};

/* Fills req from body, or replies 400 and returns -1. Strings borrowed
 * from body. */
static int parse_pledge(struct pledge_request *req, struct reply *out,
                        json_t *body)
{
    memset(req, 0, sizeof *req);
    if (!json_is_object(body)) {
        reply_error(out, 400, "wrong_type", NULL,
                    "the body must be a JSON object");
        return -1;
    }
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        bool known = false;
        for (size_t i = 0; i < sizeof pledge_fields / sizeof *pledge_fields;
             i++)
            known |= strcmp(key, pledge_fields[i]) == 0;
        if (!known) {
            reply_error(out, 400, "unknown_field", key,
                        "this field is not part of a pledge");
            return -1;
        }
    }
    v = json_object_get(body, "amount_minor");
    if (!json_is_integer(v)) {
        reply_error(out, v ? 400 : 422, v ? "wrong_type" : "invalid_value",
                    "amount_minor",
                    "amount_minor must be an integer count of minor units");
        return -1;
    }
    req->amount_minor = json_integer_value(v);
    v = json_object_get(body, "anonymous");
    if (v && !json_is_boolean(v) && !json_is_null(v)) {
        reply_error(out, 400, "wrong_type", "anonymous", "expected a boolean");
        return -1;
    }
    req->anonymous = json_is_true(v);
    if (opt_string(out, body, "currency", &req->currency,
                   &req->currency_len) < 0 ||
        opt_string(out, body, "donor_name", &req->donor_name,
                   &req->donor_name_len) < 0 ||
        opt_string(out, body, "donor_email", &req->donor_email,
                   &req->donor_email_len) < 0 ||
        opt_string(out, body, "message", &req->message, &req->message_len) < 0)
        return -1;
    return 0;
}

/* The 201 body: the pledge and its receipt, identical on every replay. */
static void reply_pledge(struct reply *out, struct store *s,
                         const struct request *req, const struct pledge *p,
                         bool replayed)
{
    struct fault f = {0};
    struct signed_doc receipt = {0};
    if (receipt_pledge(&receipt, s, req->app->signer, p, &f) != 0) {
        /* The pledge is committed; its receipt is not stored yet. A retry
         * with the same key replays the pledge and signs it then. */
        reply_header(out, "Retry-After", "1");
        reply_error(out, 503, "receipt_unavailable", NULL,
                    "the pledge is recorded but its receipt could not be "
                    "stored: retry with the same Idempotency-Key");
        return;
    }
    reply_json_take(out, 201,
                    json_pack("{s:o, s:o}", "pledge", present_pledge(p),
                              "receipt", signed_doc_json(&receipt, "receipt")));
    signed_doc_release(&receipt);
    if (replayed)
        reply_header(out, "Idempotent-Replayed", "true");
}

void handle_pledge_post(struct reply *out, struct request *req)
{
    struct pledge_request preq;
    struct idem idem;
    struct fault f = {0};
    if (!campaign_id_valid(req->params[0])) {
        reply_error(out, 404, "not_found", NULL, "no such campaign");
        return;
    }
    if (request_idem(&idem, out, req) != 0)
        return;
    json_t *body = request_json(out, req);
    if (body == NULL)
        return;
    if (parse_pledge(&preq, out, body) != 0) {
        json_decref(body);
        return;
    }
    struct store *s = pool_acquire(req->app->pool, POOL_WAIT_MS, &f);
    struct pledge p;
    bool replayed;
    if (s == NULL ||
        pledge_make(&p, &replayed, s, req->params[0], &preq, &idem, &f) != 0)
        reply_fault(out, &f);
    else {
        if (!replayed)
            metrics_pledge(p.currency, p.amount_minor, p.kind == PLEDGE_TIER);
        reply_pledge(out, s, req, &p, replayed);
    }
    pool_release(req->app->pool, s);
    json_decref(body);
}
