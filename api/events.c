/* The event log over HTTP (docs/EVENTS.md): pages by cursor, and the same
 * as Server-Sent Events. The stream is served as a series of responses:
 * each answers at once with the events after the client's Last-Event-ID,
 * or waits (suspended: no thread is held) for the next one up to
 * STREAM_WAIT_MS, then ends with `retry:` so that the client reconnects
 * with its Last-Event-ID. Nothing is lost between two responses, and a
 * proxy's idle timeout never cuts a stream that waits. */
#include "api/handlers.h"
#include "app/events.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STREAM_WAIT_MS 25000
#define STREAM_BATCH 200

static json_t *present_event(const struct event_row *e)
{
    json_t *data = json_loads(e->data, 0, NULL);
    return json_pack("{s:I, s:s, s:s, s:s, s:s?, s:o}", "event_seq",
                     (json_int_t)e->seq, "id", e->id, "type", e->type,
                     "created_at", e->created_at, "campaign_id",
                     e->campaign_id[0] ? e->campaign_id : NULL, "data",
                     data ? data : json_object());
}

struct page {
    json_t *list;
    int64_t last;
};

static int add_event(void *ctx, const struct event_row *e)
{
    struct page *pg = ctx;
    pg->last = e->seq;
    return json_array_append_new(pg->list, present_event(e));
}

/* The filter of ?types=: false with a 422 in out. */
static bool types_of(char types[][EVENT_TYPE_MAX], size_t *n,
                     struct reply *out, const struct request *req)
{
    struct fault f = {0};
    if (event_types_parse(types, n, req->query(req, "types"), "types", &f)) {
        reply_fault(out, &f);
        return false;
    }
    return true;
}

void handle_admin_events(struct reply *out, struct request *req)
{
    char who[TOKEN_NAME_MAX + 1], types[EVENT_TYPES_MAX][EVENT_TYPE_MAX];
    size_t n;
    int64_t after, limit;
    if (!require_admin(who, out, req) || !types_of(types, &n, out, req))
        return;
    if (!query_int(&after, req, "after", 0, INT64_MAX, 0)) {
        reply_error(out, 422, "invalid_value", "after",
                    "after must be an event_seq (0 for the start)");
        return;
    }
    if (!query_int(&limit, req, "limit", 1, EVENT_PAGE_MAX, 100)) {
        reply_error(out, 422, "invalid_value", "limit",
                    "limit must be an integer from 1 to 1000");
        return;
    }
    struct fault f = {0};
    struct page pg = {json_array(), after};
    if (events_page(req->api->app, who, false, after, (int)limit, types, n,
                    add_event, &pg, &f) == 0)
        reply_json_take(out, 200,
                        json_pack("{s:O, s:I, s:I}", "events", pg.list,
                                  "next", (json_int_t)pg.last, "head",
                                  (json_int_t)events_latest(req->api->app)));
    else
        reply_fault(out, &f);
    json_decref(pg.list);
}

/* ---- the stream ------------------------------------------------------- */

struct stream_page {
    struct buf *b;
    int64_t last;
    int *count;
};

static int add_sse(void *ctx, const struct event_row *e)
{
    struct stream_page *sp = ctx;
    json_t *o = present_event(e);
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (text == NULL)
        return FAULT_NOMEM;
    buf_printf(sp->b, "id: %lld\nevent: %s\ndata: %s\n\n", (long long)e->seq,
               e->type, text);
    free(text);
    sp->last = e->seq;
    (*sp->count)++;
    return 0;
}

/* Fills out with the events after `after` (possibly none) as an SSE body.
 * who is logged only for the first response of a stream. */
static void fill_stream(struct reply *out, struct app *a, const char *who,
                        int64_t after, char types[][EVENT_TYPE_MAX],
                        size_t n)
{
    struct buf b;
    buf_init(&b);
    /* Reconnect at once: the next response waits on the server. */
    buf_puts(&b, "retry: 250\n\n");
    struct stream_page sp = {&b, after, NULL};
    struct fault f = {0};
    /* Every event up to the bell's head is committed and visible to the
     * page read after it: a page shorter than the batch has seen them all. */
    int64_t seen = events_latest(a);
    int count = 0;
    sp.count = &count;
    if (events_page(a, who, who != NULL, after, STREAM_BATCH, types, n,
                    add_sse, &sp, &f) != 0) {
        buf_release(&b);
        reply_fault(out, &f);
        return;
    }
    if (count < STREAM_BATCH && seen > sp.last)
        /* Events of other types only, up to seen: an id alone moves the
         * client's Last-Event-ID past them (the SSE spec sets it even for
         * an event with no data), so a filtered stream does not come back
         * for them again and again. */
        buf_printf(&b, "id: %lld\n\n", (long long)seen);
    else if (sp.last == after)
        buf_puts(&b, ": no new events\n\n");
    out->status = 200;
    out->content_type = "text/event-stream; charset=utf-8";
    out->body = b;
    reply_header(out, "Cache-Control", "no-store");
    reply_header(out, "X-Accel-Buffering", "no");
}

struct waiting {
    struct reply *out;
    void *token;
    struct app *app;
    int64_t after;
    size_t n;
    char types[EVENT_TYPES_MAX][EVENT_TYPE_MAX];
};

static void woken(void *ctx, bool fired)
{
    (void)fired;
    struct waiting *w = ctx;
    fill_stream(w->out, w->app, NULL, w->after, w->types, w->n);
    void *token = w->token;
    free(w);
    reply_resume(token);
}

void handle_admin_events_stream(struct reply *out, struct request *req)
{
    char who[TOKEN_NAME_MAX + 1];
    struct waiting *w = calloc(1, sizeof *w);
    if (w == NULL) {
        reply_error(out, 503, "out_of_memory", NULL, "out of memory");
        return;
    }
    if (!require_admin(who, out, req) || !types_of(w->types, &w->n, out, req))
        goto done;
    /* The cursor: the browser's Last-Event-ID on a reconnect, else
     * ?after= (0: from the start of the log). */
    const char *last = req->header(req, "Last-Event-ID");
    if (last) {
        char *end;
        errno = 0;
        long long v = strtoll(last, &end, 10);
        if (*last == '\0' || *end || errno || v < 0) {
            reply_error(out, 422, "invalid_value", "Last-Event-ID",
                        "Last-Event-ID must be an event_seq");
            goto done;
        }
        w->after = v;
    } else if (!query_int(&w->after, req, "after", 0, INT64_MAX, 0)) {
        reply_error(out, 422, "invalid_value", "after",
                    "after must be an event_seq (0 for the start)");
        goto done;
    }
    struct app *a = req->api->app;
    /* A new stream (no Last-Event-ID) is a read of donors' data: logged.
     * Its continuations are the same read. */
    if (events_latest(a) > w->after) {
        fill_stream(out, a, last ? NULL : who, w->after, w->types, w->n);
        goto done;
    }
    if (!last) { /* log the read before anything is waited for */
        struct fault f = {0};
        if (events_page(a, who, true, w->after, 1, w->types, 0,
                        NULL, NULL, &f) != 0) {
            reply_fault(out, &f);
            goto done;
        }
    }
    w->app = a;
    /* Suspend first, so that the bell can never resume before it. */
    w->out = req->suspend(req, &w->token);
    if (!events_wait(a, w->after, STREAM_WAIT_MS, woken, w))
        woken(w, false);
    return;
done:
    free(w);
}
