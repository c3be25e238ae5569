/* Stripe over HTTP: a reader's card paying their pledge (from the widget),
 * and Stripe's webhook deliveries. docs/PAYMENTS.md says what each
 * answers. */
#include "api/handlers.h"
#include "api/present.h"
#include "app/app.h"
#include "app/stripe_pay.h"
#include "core/clock.h"

#include <string.h>

/* What the widget needs to load Stripe's card form, or null: only for a
 * Stripe campaign on a server that can charge cards. */
json_t *card_settings(const struct api *api, const struct campaign *c)
{
    if (strcmp(c->provider, "stripe") != 0 ||
        !stripe_cards_enabled(api->app) || api->stripe_publishable_key == NULL ||
        api->stripe_publishable_key[0] == '\0')
        return json_null();
    return json_pack("{s:s, s:s}", "publishable_key",
                     api->stripe_publishable_key, "js", api->stripe_js);
}

static void reply_payment(struct reply *out, struct payment_result *res)
{
    if (res->receipt.body == NULL) {
        reply_header(out, "Retry-After", "1");
        reply_error(out, 503, "receipt_unavailable", NULL,
                    "the payment is recorded but its receipt could not be "
                    "stored: send the same request again");
        return;
    }
    reply_json_take(out, res->recorded ? 201 : 200,
                    json_pack("{s:o, s:o}", "payment",
                              present_payment(&res->entry), "receipt",
                              signed_doc_json(&res->receipt, "receipt")));
}

void handle_card_post(struct reply *out, struct request *req)
{
    json_t *body = request_json(out, req);
    if (body == NULL)
        return;
    static const char *const fields[] = {"token"};
    if (!body_fields_known(out, body, fields, 1,
                           "a card payment takes only token")) {
        json_decref(body);
        return;
    }
    json_t *token = json_object_get(body, "token");
    struct fault f = {0};
    struct payment_result res = {0};
    if (!json_is_string(token))
        reply_error(out, token ? 400 : 422,
                    token ? "wrong_type" : "invalid_value", "token",
                    "token is a Stripe card token (tok_...)");
    else if (stripe_card_pay(&res, req->api->app, req->params[0],
                             req->params[1], json_string_value(token),
                             &f) != 0)
        reply_fault(out, &f);
    else
        reply_payment(out, &res);
    signed_doc_release(&res.receipt);
    json_decref(body);
}

void handle_stripe_webhook(struct reply *out, struct request *req)
{
    struct fault f = {0};
    struct stripe_webhook_result res;
    int rc = stripe_webhook(&res, req->api->app,
                            req->header(req, "Stripe-Signature"), req->body,
                            req->body_len, clock_now_us() / 1000000, &f);
    if (rc == FAULT_INVALID) {
        /* Stripe reads any non-2xx as "not delivered" and retries; 400 is
         * what its documentation asks for a delivery we refuse. */
        bool sig = strcmp(f.field, "Stripe-Signature") == 0;
        reply_error(out, 400, sig ? "invalid_signature" : "invalid_event",
                    f.field[0] ? f.field : NULL, f.message);
    } else if (rc) {
        reply_fault(out, &f);
    } else {
        reply_json_take(out, 200,
                        json_pack("{s:b, s:s, s:s, s:s, s:s}", "received", 1,
                                  "event", res.event_id, "type", res.type,
                                  "outcome", res.outcome, "detail",
                                  res.detail));
    }
}
