#include "api/http.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

void reply_init(struct reply *r)
{
    memset(r, 0, sizeof *r);
    r->status = 500;
    r->content_type = "application/json; charset=utf-8";
    buf_init(&r->body);
}

void reply_release(struct reply *r)
{
    buf_release(&r->body);
    /* A stream never handed to the transport is freed here. */
    if (r->stream_free && r->stream_ctx)
        r->stream_free(r->stream_ctx);
    r->stream_ctx = NULL;
}

void reply_header(struct reply *r, const char *name, const char *value)
{
    if (r->nheaders == REPLY_HEADERS_MAX)
        return;
    r->header_names[r->nheaders] = name;
    snprintf(r->header_values[r->nheaders], sizeof r->header_values[0], "%s",
             value);
    r->nheaders++;
}

void reply_json_take(struct reply *r, unsigned status, json_t *v)
{
    buf_reset(&r->body);
    char *text = v ? json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(v);
    if (text == NULL) {
        r->status = 500;
        buf_puts(&r->body, "{\"error\":{\"code\":\"out_of_memory\","
                           "\"message\":\"out of memory\"}}");
        return;
    }
    r->status = status;
    buf_puts(&r->body, text);
    buf_putc(&r->body, '\n');
    free(text);
}

void reply_error(struct reply *r, unsigned status, const char *code,
                 const char *field, const char *message)
{
    json_t *e = json_pack("{s:s, s:s}", "code", code, "message", message);
    if (e && field && *field)
        json_object_set_new(e, "field", json_string(field));
    reply_json_take(r, status, json_pack("{s:o}", "error", e));
}

static const struct {
    int code;
    unsigned status;
} fault_status[] = {
    {FAULT_INVALID, 422},        {FAULT_AMOUNT_RANGE, 422},
    {FAULT_CURRENCY, 422},       {FAULT_NOT_FOUND, 404},
    {FAULT_CLOSED, 409},         {FAULT_IDEM_REUSED, 422},
    {FAULT_IDEM_IN_FLIGHT, 409}, {FAULT_CONFLICT, 409},
    {FAULT_OVERFLOW, 422},       {FAULT_UNAVAILABLE, 503},
    {FAULT_NOMEM, 503},          {FAULT_TAMPERED, 500},
    {FAULT_TOTAL_LIMIT, 422},    {FAULT_KEY_RETIRED, 503},
    {FAULT_DECLINED, 402},       {FAULT_PROVIDER, 502},
};

/* A 500 is a bug or a broken invariant, and its fault's text may come
 * from the database: the text goes to the log under a fresh request id,
 * the client gets the id alone. */
static void reply_internal(struct reply *r, const struct fault *f)
{
    unsigned char raw[8];
    char id[2 * sizeof raw + 1], message[96];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(id, sizeof id, raw, sizeof raw);
    fprintf(stderr, "pledged: internal error request_id=%s code=%s: %s\n", id,
            fault_name(f->code), f->message);
    snprintf(message, sizeof message,
             "internal error; the server log has request id %s", id);
    reply_header(r, "X-Request-Id", id);
    reply_error(r, 500, "internal_error", NULL, message);
}

void reply_fault(struct reply *r, const struct fault *f)
{
    unsigned status = 500;
    for (size_t i = 0; i < sizeof fault_status / sizeof fault_status[0]; i++)
        if (fault_status[i].code == f->code)
            status = fault_status[i].status;
    if (status == 500 && f->code != FAULT_TAMPERED) {
        reply_internal(r, f);
        return;
    }
    if (status == 503)
        reply_header(r, "Retry-After", "1");
    reply_error(r, status, fault_name(f->code), f->field,
                f->message[0] ? f->message : fault_name(f->code));
}

void reply_not_found(struct reply *r, const char *what)
{
    struct fault f = {0};
    fault_set(&f, FAULT_NOT_FOUND, NULL, "no such %s", what);
    reply_fault(r, &f);
}

void reply_rate_limited(struct reply *r, unsigned seconds, const char *message)
{
    char secs[16];
    snprintf(secs, sizeof secs, "%u", seconds ? seconds : 1);
    reply_header(r, "Retry-After", secs);
    reply_error(r, 429, "rate_limited", NULL, message);
}
