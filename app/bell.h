#ifndef PLEDGED_APP_BELL_H
#define PLEDGED_APP_BELL_H
/*
 * The bell of the event log: says when a new event is there, so that the
 * dashboard's stream and the webhook deliveries wake at once instead of
 * polling. One thread per instance LISTENs for the log's notifications on
 * a connection of its own and, as a fallback for a notification missed
 * while it reconnects, reads the log's head every second. Waiters are
 * called from that thread.
 */
#include <stdbool.h>
#include <stdint.h>

struct events_bell;

/* Starts the thread: NULL when out of memory or no thread. */
struct events_bell *bell_start(const char *conninfo);

/* Stops it, calling every waiter left (not fired). Accepts NULL. */
void bell_stop(struct events_bell *b);

/* The last event_seq seen (0 before the first look; 0 for NULL). */
int64_t bell_latest(struct events_bell *b);

/* Calls fn(ctx, fired) exactly once, from the bell's thread: fired when an
 * event after `after` exists, else after timeout_ms (or when the bell
 * stops). false (fn never called) when out of memory or b is NULL. */
bool bell_wait(struct events_bell *b, int64_t after, int timeout_ms,
               void (*fn)(void *ctx, bool fired), void *ctx);

/* Calls every waiter now (not fired) and takes no new one (bell_wait
 * returns false): a server that stops answers its waiting requests
 * first. */
void bell_close(struct events_bell *b);

/* Forgets every waiter of ctx without calling it, and waits for a call
 * under way to end: after it, nothing of the bell touches ctx. */
void bell_cancel(struct events_bell *b, void *ctx);

#endif
