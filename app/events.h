#ifndef PLEDGED_APP_EVENTS_H
#define PLEDGED_APP_EVENTS_H
/*
 * The event log for readers (docs/EVENTS.md): pages of it by cursor, and
 * waiting for the next one (the app's bell, app/bell.h).
 */
#include "core/event.h"
#include "core/fault.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct app;

/* Calls fn with up to limit (1..EVENT_PAGE_MAX) events after `after`, of
 * the given types (n 0: all), without personal data (e->personal NULL).
 * A read by staff (who non-NULL) is written to admin_log first
 * (events.list, or events.stream with stream), or refused. fn NULL:
 * only that log row (a stream that starts by waiting). */
int events_page(struct app *a, const char *who, bool stream, int64_t after,
                int limit, char types[][EVENT_TYPE_MAX], size_t n,
                int (*fn)(void *ctx, const struct event_row *e), void *ctx,
                struct fault *f) __attribute__((warn_unused_result));

/* The last event_seq the bell knows of (0 before it has looked). */
int64_t events_latest(struct app *a);

/* Calls fn(ctx, fired) exactly once, from the bell's thread: fired when an
 * event after `after` exists, else after timeout_ms (or when the bell
 * stops). false (fn never called) when out of memory or no bell. */
bool events_wait(struct app *a, int64_t after, int timeout_ms,
                 void (*fn)(void *ctx, bool fired), void *ctx);

/* A server that stops: every waiting stream is answered now, and new
 * ones are answered at once (the caller then stops its connections). */
void events_close(struct app *a);

#endif
