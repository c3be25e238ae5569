#include "app/events.h"

#include "app/app.h"
#include "app/bell.h"
#include "store/pool.h"
#include "store/store.h"

#include <stdio.h>

int events_page(struct app *a, const char *who, bool stream, int64_t after,
                int limit, char types[][EVENT_TYPE_MAX], size_t n,
                int (*fn)(void *ctx, const struct event_row *e), void *ctx,
                struct fault *f)
{
    if (limit < 1 || limit > EVENT_PAGE_MAX)
        return fault_set(f, FAULT_INVALID, "limit", "limit is 1 to %d",
                         EVENT_PAGE_MAX);
    if (after < 0)
        return fault_set(f, FAULT_INVALID, "after", "after is 0 or more");
    struct store *s = pool_acquire(a->pool, POOL_WAIT_MS, f);
    int rc = s ? 0 : FAULT_UNAVAILABLE;
    if (rc == 0 && who) {
        char detail[64];
        snprintf(detail, sizeof detail, "after=%lld limit=%d",
                 (long long)after, limit);
        struct admin_action log = {who, stream ? "events.stream"
                                               : "events.list",
                                   "events", detail};
        rc = store_admin_log(s, &log, f);
    }
    if (rc == 0 && fn)
        rc = store_events_page(s, after, limit, types, n, fn, ctx, f);
    pool_release(a->pool, s);
    return rc;
}

int64_t events_latest(struct app *a) { return bell_latest(a->bell); }

bool events_wait(struct app *a, int64_t after, int timeout_ms,
                 void (*fn)(void *ctx, bool fired), void *ctx)
{
    return bell_wait(a->bell, after, timeout_ms, fn, ctx);
}

void events_close(struct app *a) { bell_close(a->bell); }
