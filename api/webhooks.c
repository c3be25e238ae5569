/* Webhook endpoints over HTTP (docs/WEBHOOKS.md): staff make, list,
 * replay and delete them. The secret is shown once, when made. */
#include "api/handlers.h"
#include "app/app.h"
#include "app/events.h"
#include "app/webhooks.h"
#include "core/pledge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *stamp(const char *s) { return s[0] ? json_string(s) : json_null(); }

static json_t *present_endpoint(const struct webhook_endpoint *ep)
{
    json_t *types = json_array();
    for (size_t i = 0; i < ep->ntypes; i++)
        json_array_append_new(types, json_string(ep->types[i]));
    const char *state = ep->disabled_at[0]    ? "disabled"
                        : ep->failing_since[0] ? "failing"
                                               : "active";
    json_t *o = json_pack(
        "{s:s, s:s, s:o, s:b, s:b, s:I, s:s, s:i, s:s, s:s}", "id", ep->id,
        "url", ep->url, "types", types, "ed25519", ep->ed25519, "personal",
        ep->personal, "cursor", (json_int_t)ep->cursor, "state", state,
        "attempts", ep->attempts, "next_attempt_at", ep->next_attempt_at,
        "created_at", ep->created_at);
    json_object_set_new(o, "failing_since", stamp(ep->failing_since));
    json_object_set_new(o, "last_error", stamp(ep->last_error));
    json_object_set_new(o, "disabled_at", stamp(ep->disabled_at));
    json_object_set_new(o, "disabled_reason", stamp(ep->disabled_reason));
    return o;
}

/* The body of a new endpoint into spec: false with a 400/422 in out. */
static bool read_spec(struct webhook_spec *spec, struct reply *out,
                      json_t *body)
{
    static const char *const fields[] = {"url", "types", "ed25519",
                                         "personal", "from"};
    if (!body_fields_known(out, body, fields, 5,
                           "a webhook takes url, types, ed25519, personal "
                           "and from"))
        return false;
    json_t *v;
    json_t *url = json_object_get(body, "url");
    if (!json_is_string(url)) {
        reply_error(out, url ? 400 : 422, url ? "wrong_type" : "invalid_value",
                    "url", "url is the http(s) address to deliver to");
        return false;
    }
    spec->url = json_string_value(url);
    json_t *types = json_object_get(body, "types");
    size_t i;
    json_array_foreach(types, i, v)
    {
        if (!json_is_string(v) || !event_type_known(json_string_value(v)) ||
            spec->ntypes == EVENT_TYPES_MAX) {
            reply_error(out, 422, "invalid_value", "types",
                        "types is a list of known event types "
                        "(docs/EVENTS.md)");
            return false;
        }
        snprintf(spec->types[spec->ntypes++], EVENT_TYPE_MAX, "%s",
                 json_string_value(v));
    }
    if (types && !json_is_array(types)) {
        reply_error(out, 400, "wrong_type", "types",
                    "types is a list of event types");
        return false;
    }
    static const char *const flags[] = {"ed25519", "personal"};
    for (size_t k = 0; k < 2; k++) {
        v = json_object_get(body, flags[k]);
        if (v && !json_is_boolean(v)) {
            reply_error(out, 400, "wrong_type", flags[k],
                        "must be true or false");
            return false;
        }
    }
    spec->ed25519 = json_is_true(json_object_get(body, "ed25519"));
    spec->personal = json_is_true(json_object_get(body, "personal"));
    v = json_object_get(body, "from");
    if (v && (!json_is_integer(v) || json_integer_value(v) < 1)) {
        reply_error(out, v && !json_is_integer(v) ? 400 : 422,
                    json_is_integer(v) ? "invalid_value" : "wrong_type",
                    "from", "from is the first event_seq to deliver (1 or "
                            "more)");
        return false;
    }
    spec->from = v ? json_integer_value(v) : 0;
    return true;
}

void handle_admin_webhook_create(struct reply *out, struct request *req)
{
    char who[TOKEN_NAME_MAX + 1];
    struct idem idem;
    if (!require_admin(who, out, req) || request_idem(&idem, out, req) != 0)
        return;
    json_t *body = request_json(out, req);
    if (body == NULL)
        return;
    struct webhook_spec spec = {0};
    struct webhook_endpoint *ep = malloc(sizeof *ep);
    struct fault f = {0};
    bool replayed;
    if (ep == NULL)
        reply_error(out, 503, "out_of_memory", NULL, "out of memory");
    else if (!read_spec(&spec, out, body))
        ;
    else if (webhooks_create(ep, &replayed, req->api->app, who, &spec, &idem,
                             &f) != 0)
        reply_fault(out, &f);
    else {
        reply_json_take(out, 201,
                        json_pack("{s:o, s:s}", "webhook",
                                  present_endpoint(ep), "secret",
                                  ep->secret));
        if (replayed)
            reply_header(out, "Idempotent-Replayed", "true");
    }
    if (ep)
        explicit_bzero(ep->secret, sizeof ep->secret);
    free(ep);
    json_decref(body);
}

static int add_endpoint(void *ctx, const struct webhook_endpoint *ep)
{
    return json_array_append_new(ctx, present_endpoint(ep));
}

void handle_admin_webhooks(struct reply *out, struct request *req)
{
    char who[TOKEN_NAME_MAX + 1];
    if (!require_admin(who, out, req))
        return;
    struct fault f = {0};
    json_t *list = json_array();
    if (webhooks_list(req->api->app, add_endpoint, list, &f) == 0)
        reply_json_take(out, 200,
                        json_pack("{s:O, s:I}", "webhooks", list, "head",
                                  (json_int_t)events_latest(req->api->app)));
    else
        reply_fault(out, &f);
    json_decref(list);
}

void handle_admin_webhook_replay(struct reply *out, struct request *req)
{
    char who[TOKEN_NAME_MAX + 1];
    if (!require_admin(who, out, req))
        return;
    json_t *body = request_json(out, req);
    if (body == NULL)
        return;
    json_t *from = json_object_get(body, "from");
    struct webhook_endpoint *ep = malloc(sizeof *ep);
    struct fault f = {0};
    if (ep == NULL)
        reply_error(out, 503, "out_of_memory", NULL, "out of memory");
    else if (json_object_size(body) != 1 || !json_is_integer(from))
        reply_error(out, from ? 400 : 422, from ? "wrong_type" : "invalid_value",
                    "from", "a replay takes only from, an event_seq");
    else if (webhooks_replay(ep, req->api->app, who, req->params[0],
                             json_integer_value(from), &f) != 0)
        reply_fault(out, &f);
    else
        reply_json_take(out, 200,
                        json_pack("{s:o}", "webhook", present_endpoint(ep)));
    if (ep)
        explicit_bzero(ep->secret, sizeof ep->secret);
    free(ep);
    json_decref(body);
}

void handle_admin_webhook_delete(struct reply *out, struct request *req)
{
    char who[TOKEN_NAME_MAX + 1];
    if (!require_admin(who, out, req))
        return;
    struct fault f = {0};
    if (webhooks_delete(req->api->app, who, req->params[0], &f) != 0)
        reply_fault(out, &f);
    else
        out->status = 204;
}
