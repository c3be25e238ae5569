/* Money over HTTP: staff record an offline payment (cheque, bank
 * transfer, cash) against a pledge; the campaign's money settings. */
#include "api/handlers.h"
#include "api/present.h"
#include "app/app.h"
#include "app/payments.h"
#include "core/hex.h"

#include <string.h>

bool apply_money_fields(struct campaign *c, struct reply *out, json_t *body,
                        bool create)
{
    json_t *v;
    if ((v = json_object_get(body, "provider")) != NULL) {
        if (!json_is_null(v) && !json_is_string(v)) {
            reply_error(out, 400, "wrong_type", "provider",
                        "provider must be null or a string");
            return false;
        }
        snprintf(c->provider, sizeof c->provider, "%s",
                 json_is_string(v) && json_string_length(v) < sizeof c->provider
                     ? json_string_value(v)
                 : json_is_string(v) ? "?"
                                     : "");
        if (create && json_object_get(body, "shown_total") == NULL)
            c->show_collected = c->provider[0] != '\0';
    }
    if ((v = json_object_get(body, "shown_total")) != NULL) {
        const char *t = json_string_value(v);
        if (t == NULL || (strcmp(t, "raised") && strcmp(t, "collected"))) {
            reply_error(out, 422, "invalid_value", "shown_total",
                        "shown_total is \"raised\" or \"collected\"");
            return false;
        }
        c->show_collected = strcmp(t, "collected") == 0;
    }
    if ((v = json_object_get(body, "payment_link")) != NULL) {
        if (!json_is_null(v) && !json_is_string(v)) {
            reply_error(out, 400, "wrong_type", "payment_link",
                        "payment_link must be null or a string");
            return false;
        }
        if (json_is_string(v) &&
            json_string_length(v) >= sizeof c->payment_link) {
            reply_error(out, 422, "invalid_value", "payment_link",
                        "payment_link is too long");
            return false;
        }
        snprintf(c->payment_link, sizeof c->payment_link, "%s",
                 json_is_string(v) ? json_string_value(v) : "");
    }
    if ((v = json_object_get(body, "pledge_ttl_s")) != NULL) {
        if (!json_is_null(v) && !json_is_integer(v)) {
            reply_error(out, 400, "wrong_type", "pledge_ttl_s",
                        "pledge_ttl_s must be null or an integer");
            return false;
        }
        c->pledge_ttl_s = json_is_integer(v) ? json_integer_value(v) : 0;
        if (json_is_integer(v) && c->pledge_ttl_s <= 0)
            c->pledge_ttl_s = -1; /* refused by campaign_validate */
    }
    return true;
}

void handle_admin_payment_post(struct reply *out, struct request *req)
{
    char who[TOKEN_NAME_MAX + 1];
    struct idem idem;
    if (!require_admin(who, out, req) || request_idem(&idem, out, req) != 0)
        return;
    json_t *body = request_json(out, req);
    if (body == NULL)
        return;
    static const char *const fields[] = {"amount_minor", "method"};
    if (!body_fields_known(out, body, fields, 2,
                           "a payment takes amount_minor and method")) {
        json_decref(body);
        return;
    }
    json_t *amount = json_object_get(body, "amount_minor");
    json_t *method = json_object_get(body, "method");
    struct fault f = {0};
    struct payment_result res = {0};
    bool replayed;
    if (!json_is_integer(amount))
        reply_error(out, amount ? 400 : 422,
                    amount ? "wrong_type" : "invalid_value", "amount_minor",
                    "amount_minor must be an integer");
    else if (!json_is_string(method))
        reply_error(out, method ? 400 : 422,
                    method ? "wrong_type" : "invalid_value", "method",
                    "method is cheque, bank_transfer, cash or other");
    else if (payments_offline(&res, &replayed, req->api->app, who,
                              req->params[0], json_integer_value(amount),
                              json_string_value(method), &idem, &f) != 0)
        reply_fault(out, &f);
    else if (res.receipt.body == NULL) {
        reply_header(out, "Retry-After", "1");
        reply_error(out, 503, "receipt_unavailable", NULL,
                    "the payment is recorded but its receipt could not be "
                    "stored: retry with the same Idempotency-Key");
    } else {
        reply_json_take(out, 201,
                        json_pack("{s:o, s:o}", "payment",
                                  present_payment(&res.entry), "receipt",
                                  signed_doc_json(&res.receipt, "receipt")));
        if (replayed)
            reply_header(out, "Idempotent-Replayed", "true");
    }
    signed_doc_release(&res.receipt);
    json_decref(body);
}
