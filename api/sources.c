/* GET /v1/admin/campaigns/{id}/sources: gifts and totals per article and
 * source, as JSON or CSV (docs/ADMIN.md). */
#include "api/handlers.h"
#include "app/sources.h"
#include "core/export.h"

#include <stdio.h>
#include <string.h>

struct sources {
    json_t *list;
    struct buf *csv; /* CSV: rows appended here instead */
};

static int add_source(void *ctx, const struct source_total *t)
{
    struct sources *sr = ctx;
    if (sr->csv) {
        /* Pages and utm_* come from readers' browsers: escaped as donors'
         * text is (a leading =, +, - or @ gets an apostrophe). */
        char nums[96];
        export_csv_text(sr->csv, t->page);
        for (int i = 0; i < 3; i++) {
            buf_puts(sr->csv, ",");
            export_csv_text(sr->csv, t->utm[i]);
        }
        snprintf(nums, sizeof nums, ",%lld,%lld,%lld,%lld\r\n",
                 (long long)t->gifts, (long long)t->pledged_minor,
                 (long long)t->kept, (long long)t->raised_minor);
        buf_puts(sr->csv, nums);
        return buf_failed(sr->csv) ? -1 : 0;
    }
    json_t *o = json_pack(
        "{s:s?, s:s?, s:s?, s:s?, s:I, s:I, s:I, s:I}", "page",
        t->page[0] ? t->page : NULL, "utm_source",
        t->utm[0][0] ? t->utm[0] : NULL, "utm_medium",
        t->utm[1][0] ? t->utm[1] : NULL, "utm_campaign",
        t->utm[2][0] ? t->utm[2] : NULL, "gifts", (json_int_t)t->gifts,
        "pledged_minor", (json_int_t)t->pledged_minor, "kept",
        (json_int_t)t->kept, "raised_minor", (json_int_t)t->raised_minor);
    return json_array_append_new(sr->list, o);
}

void handle_admin_sources(struct reply *out, struct request *req)
{
    char who[TOKEN_NAME_MAX + 1];
    if (!require_admin(who, out, req))
        return;
    const char *fmt = req->query(req, "format");
    bool csv = fmt && strcmp(fmt, "csv") == 0;
    if (fmt && !csv && strcmp(fmt, "json") != 0) {
        reply_error(out, 422, "invalid_value", "format",
                    "format is \"json\" or \"csv\"");
        return;
    }
    struct fault f = {0};
    struct campaign c;
    struct buf body;
    buf_init(&body);
    buf_puts(&body, "page,utm_source,utm_medium,utm_campaign,gifts,"
                    "pledged_minor,kept,raised_minor\r\n");
    struct sources sr = {.list = json_array(), .csv = csv ? &body : NULL};
    if (admin_sources(&c, req->api->app, req->params[0], add_source, &sr,
                      &f) != 0) {
        reply_fault(out, &f);
    } else if (csv) {
        char disp[128];
        snprintf(disp, sizeof disp, "attachment; filename=\"%s-sources.csv\"",
                 c.id);
        out->status = 200;
        out->content_type = "text/csv; charset=utf-8";
        reply_header(out, "Content-Disposition", disp);
        buf_append(&out->body, body.data, body.len);
    } else {
        reply_json_take(out, 200,
                        json_pack("{s:s, s:s, s:O}", "campaign_id", c.id,
                                  "currency", c.currency, "sources",
                                  sr.list));
    }
    buf_release(&body);
    json_decref(sr.list);
}
