/* The pledge body: strict JSON types, no unknown fields. */
#include "api/http.h"
#include "core/pledge.h"

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
    "message", "source_page", "utm_source", "utm_medium", "utm_campaign",
    "utm_term", "utm_content",
};

bool body_fields_known(struct reply *out, json_t *body,
                       const char *const *fields, size_t n, const char *what)
{
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        bool known = false;
        for (size_t i = 0; i < n; i++)
            known |= strcmp(key, fields[i]) == 0;
        if (!known) {
            reply_error(out, 400, "unknown_field", key, what);
            return false;
        }
    }
    return true;
}

/* Fills req from body, or replies 400 and returns -1. Strings borrowed
 * from body. */
int pledge_body_parse(struct pledge_request *req, struct reply *out,
                      json_t *body)
{
    memset(req, 0, sizeof *req);
    if (!json_is_object(body)) {
        reply_error(out, 400, "wrong_type", NULL,
                    "the body must be a JSON object");
        return -1;
    }
    if (!body_fields_known(out, body, pledge_fields,
                           sizeof pledge_fields / sizeof *pledge_fields,
                           "this field is not part of a pledge"))
        return -1;
    json_t *v = json_object_get(body, "amount_minor");
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
        opt_string(out, body, "message", &req->message, &req->message_len) < 0 ||
        opt_string(out, body, "source_page", &req->source.page,
                   &req->source.page_len) < 0)
        return -1;
    for (int i = 0; i < SOURCE_UTM_N; i++)
        if (opt_string(out, body, source_utm_names[i], &req->source.utm[i],
                       &req->source.utm_len[i]) < 0)
            return -1;
    return 0;
}

