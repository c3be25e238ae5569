/* Admin tokens over HTTP (docs/ADMIN.md): staff list, make and revoke
 * them. A token's text is shown once, in the 201 that made it; lists and
 * replays show names and dates only, never the text nor its hash. */
#include "api/handlers.h"
#include "app/admin.h"

#include <sodium.h>

#include <string.h>

static json_t *stamp(const char *s) { return s[0] ? json_string(s) : json_null(); }

static json_t *present_token(const struct token_info *t, bool revoked)
{
    json_t *o = json_pack("{s:s, s:s}", "name", t->name, "created_at",
                          t->created_at);
    if (revoked)
        json_object_set_new(o, "revoked_at", stamp(t->revoked_at));
    return o;
}

static int add_token(void *ctx, const struct token_info *t)
{
    return json_array_append_new(ctx, present_token(t, true));
}

void handle_admin_tokens(struct reply *out, struct request *req)
{
    char who[TOKEN_NAME_MAX + 1];
    if (!require_admin(who, out, req))
        return;
    struct fault f = {0};
    json_t *list = json_array();
    if (admin_tokens_list(req->api->app, add_token, list, &f) == 0)
        reply_json_take(out, 200, json_pack("{s:O}", "tokens", list));
    else
        reply_fault(out, &f);
    json_decref(list);
}

void handle_admin_token_create(struct reply *out, struct request *req)
{
    char who[TOKEN_NAME_MAX + 1];
    struct idem idem;
    if (!require_admin(who, out, req) || request_idem(&idem, out, req) != 0)
        return;
    json_t *body = request_json(out, req);
    if (body == NULL)
        return;
    static const char *const fields[] = {"name"};
    json_t *name = json_object_get(body, "name");
    struct token_info made;
    char text[TOKEN_TEXT_LEN];
    bool replayed;
    struct fault f = {0};
    if (!json_is_object(body))
        reply_error(out, 400, "wrong_type", "body", "body must be a JSON "
                                                    "object");
    else if (!body_fields_known(out, body, fields, 1,
                                "a token takes only name"))
        ;
    else if (name == NULL)
        reply_error(out, 422, "invalid_value", "name",
                    "name is required: 1-64 of [A-Za-z0-9_.-]");
    else if (!json_is_string(name))
        reply_error(out, 400, "wrong_type", "name", "name must be a string");
    else if (strlen(json_string_value(name)) != json_string_length(name))
        reply_error(out, 422, "invalid_value", "name",
                    "token names are 1-64 of [A-Za-z0-9_.-]");
    else if (admin_token_create(&made, text, &replayed, req->api->app, who,
                                json_string_value(name), &idem, &f) != 0)
        reply_fault(out, &f);
    else {
        /* A replay cannot show the text again: only its hash is kept. */
        json_t *o = json_pack("{s:o}", "token", present_token(&made, false));
        json_object_set_new(o, "secret",
                            replayed ? json_null() : json_string(text));
        reply_json_take(out, 201, o);
        if (replayed)
            reply_header(out, "Idempotent-Replayed", "true");
    }
    sodium_memzero(text, sizeof text);
    json_decref(body);
}

void handle_admin_token_revoke(struct reply *out, struct request *req)
{
    char who[TOKEN_NAME_MAX + 1];
    if (!require_admin(who, out, req))
        return;
    struct fault f = {0};
    if (admin_token_revoke(req->api->app, who, req->params[0], &f) != 0)
        reply_fault(out, &f);
    else
        out->status = 204;
}
