/* GET /v1/campaigns/{id}/supporters (public) and POST
 * /v1/admin/pledges/{id}/moderation (staff): docs/WIDGET.md, ADMIN.md. */
#include "api/handlers.h"
#include "app/supporters.h"

#include <string.h>

static int add_supporter(void *ctx, const struct supporter *p)
{
    return json_array_append_new(
        ctx, json_pack("{s:s?, s:s}", "name", p->name, "created_at",
                       p->created_at));
}

void handle_supporters_get(struct reply *out, struct request *req)
{
    struct fault f = {0};
    struct campaign c;
    json_t *list = json_array();
    if (supporters_recent(&c, req->api->app, req->params[0], add_supporter,
                          list, &f) == 0) {
        /* Readers' names, changed by any pledge or staff's word: short. */
        reply_header(out, "Cache-Control", "public, max-age=5");
        reply_json_take(out, 200,
                        json_pack("{s:s, s:s, s:O}", "campaign_id", c.id,
                                  "list", supporters_list_name(c.supporters),
                                  "supporters", list));
    } else {
        reply_fault(out, &f);
    }
    json_decref(list);
}

void handle_admin_moderation(struct reply *out, struct request *req)
{
    char who[TOKEN_NAME_MAX + 1];
    if (!require_admin(who, out, req))
        return;
    json_t *body = request_json(out, req);
    if (body == NULL)
        return;
    static const char *const fields[] = {"state"};
    json_t *v = json_object_get(body, "state");
    const char *state = json_is_string(v) ? json_string_value(v) : NULL;
    if (!json_is_object(body) || (v && !json_is_string(v))) {
        reply_error(out, 400, "wrong_type", json_is_object(body) ? "state" : NULL,
                    json_is_object(body) ? "state must be a string"
                                         : "the body must be a JSON object");
        json_decref(body);
        return;
    }
    if (!body_fields_known(out, body, fields, 1,
                           "this field is not part of a moderation")) {
        json_decref(body);
        return;
    }
    if (state == NULL || (strcmp(state, "approved") != 0 &&
                          strcmp(state, "hidden") != 0)) {
        reply_error(out, 422, "invalid_value", "state",
                    "state is \"approved\" (shown in the recent supporters) "
                    "or \"hidden\" (its name never shown)");
        json_decref(body);
        return;
    }
    struct fault f = {0};
    char cid[CAMPAIGN_ID_MAX + 1];
    if (admin_moderate(cid, req->api->app, who, req->params[0], state, &f) ==
        0)
        reply_json_take(out, 200,
                        json_pack("{s:s, s:s, s:s}", "pledge_id",
                                  req->params[0], "campaign_id", cid, "state",
                                  state));
    else
        reply_fault(out, &f);
    json_decref(body);
}
