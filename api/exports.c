/* Ledger exports over HTTP: streamed CSV / JSON Lines and their signed
 * manifests (app/exporting.h); at most api->exports_max run at once. */
#include "api/handlers.h"
#include "app/app.h"
#include "app/exporting.h"
#include "core/clock.h"
#include "core/export.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct running {
    struct exporting *e;
    struct export *x; /* e's */
    struct api *api;
    size_t taken; /* bytes of x->out already sent */
};

static void running_free(void *ctx)
{
    struct running *r = ctx;
    exporting_close(r->e);
    atomic_fetch_sub(&r->api->exports_running, 1);
    free(r);
}

static long running_read(void *ctx, char *buf, size_t max)
{
    struct running *r = ctx;
    if (r->taken == r->x->out.len) {
        buf_reset(&r->x->out);
        r->taken = 0;
        struct fault f = {0};
        if (exporting_fill(r->e, max, &f) != 0) {
            fprintf(stderr, "export %s failed: %s\n", r->x->p.campaign_id,
                    f.message);
            return -1;
        }
    }
    size_t n = r->x->out.len - r->taken;
    if (n > max)
        n = max;
    memcpy(buf, r->x->out.data + r->taken, n);
    r->taken += n;
    return (long)n;
}

/* Reads from, to and until_seq: false with a 422 in out. */
static bool parse_params(struct export_params *p, struct reply *out,
                         const struct request *req)
{
    memset(p, 0, sizeof *p);
    if (strlen(req->params[0]) < sizeof p->campaign_id)
        memcpy(p->campaign_id, req->params[0], strlen(req->params[0]) + 1);
    const char *from = req->query(req, "from"), *to = req->query(req, "to");
    const char *until = req->query(req, "until_seq");
    if (from && clock_parse(&p->from_us, from) != 0) {
        reply_error(out, 422, "invalid_value", "from",
                    "from must be an RFC 3339 time in years 1970 to 9999");
        return false;
    }
    if (to && clock_parse(&p->to_us, to) != 0) {
        reply_error(out, 422, "invalid_value", "to",
                    "to must be an RFC 3339 time in years 1970 to 9999");
        return false;
    }
    p->has_from = from != NULL;
    p->has_to = to != NULL;
    if (p->has_from && p->has_to && p->from_us > p->to_us) {
        reply_error(out, 422, "invalid_value", "from", "from is after to");
        return false;
    }
    if (until) {
        char *end;
        errno = 0;
        long long n = strtoll(until, &end, 10);
        if (*until == '\0' || *end || errno || n < 1) {
            reply_error(out, 422, "invalid_value", "until_seq",
                        "until_seq must be a positive integer");
            return false;
        }
        p->until_seq = n;
    }
    return true;
}

/* Starts an export: NULL with an error in out. */
static struct running *start(struct reply *out, struct request *req,
                             enum export_format format, const char *action)
{
    char who[TOKEN_NAME_MAX + 1];
    struct export_params p;
    if (!require_admin(who, out, req) || !parse_params(&p, out, req))
        return NULL;
    struct fault f = {0};
    if (!campaign_id_valid(p.campaign_id)) {
        reply_not_found(out, "campaign");
        return NULL;
    }
    p.format = format;
    struct api *api = req->api;
    if (atomic_fetch_add(&api->exports_running, 1) >= api->exports_max) {
        atomic_fetch_sub(&api->exports_running, 1);
        reply_header(out, "Retry-After", "5");
        reply_error(out, 503, "exports_busy", NULL,
                    "too many exports are running; retry shortly");
        return NULL;
    }
    struct running *r = calloc(1, sizeof *r);
    if (r == NULL ||
        exporting_open(&r->e, api->app, &p, who, action, &f) != 0) {
        free(r);
        atomic_fetch_sub(&api->exports_running, 1);
        fault_set(&f, FAULT_NOMEM, NULL, "out of memory");
        reply_fault(out, &f);
        return NULL;
    }
    r->x = exporting_export(r->e);
    r->api = api;
    return r;
}

static void stream_export(struct reply *out, struct request *req,
                          enum export_format format)
{
    struct running *r = start(out, req, format, "ledger.export");
    if (r == NULL)
        return;
    char value[160];
    out->status = 200;
    out->content_type = format == EXPORT_CSV
                            ? "text/csv; charset=utf-8; header=present"
                            : "application/x-ndjson; charset=utf-8";
    snprintf(value, sizeof value, "attachment; filename=\"%s-ledger.%s\"",
             r->x->p.campaign_id, format == EXPORT_CSV ? "csv" : "jsonl");
    reply_header(out, "Content-Disposition", value);
    snprintf(value, sizeof value, "%lld", (long long)r->x->p.until_seq);
    reply_header(out, "Pledged-Until-Seq", value);
    reply_header(out, "Cache-Control", "no-store");
    out->stream = running_read;
    out->stream_free = running_free;
    out->stream_ctx = r;
}

void handle_export_csv(struct reply *out, struct request *req)
{
    stream_export(out, req, EXPORT_CSV);
}

void handle_export_jsonl(struct reply *out, struct request *req)
{
    stream_export(out, req, EXPORT_JSONL);
}

void handle_export_manifest(struct reply *out, struct request *req)
{
    enum export_format format = EXPORT_CSV;
    const char *fmt = req->query(req, "format");
    if (fmt && export_format_parse(&format, fmt) != 0) {
        reply_error(out, 422, "invalid_value", "format",
                    "format is csv or jsonl");
        return;
    }
    struct running *r = start(out, req, format, "ledger.manifest");
    if (r == NULL)
        return;
    struct fault f = {0};
    struct signed_doc doc = {0};
    /* Produce the same bytes as the export, hashing them, keeping none. */
    if (exporting_manifest(&doc, r->e, req->api->app->signer, &f) == 0)
        reply_json_take(out, 200, signed_doc_json(&doc, "manifest"));
    else
        reply_fault(out, &f);
    signed_doc_release(&doc);
    running_free(r);
}
