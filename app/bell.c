/* The bell of the event log (app/bell.h). */
#include "app/bell.h"

#include "store/store.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

struct waiter {
    struct waiter *next;
    int64_t after, deadline_us;
    void (*fn)(void *ctx, bool fired);
    void *ctx;
};

struct events_bell {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_mutex_t calling; /* held while waiters are called */
    struct waiter *waiters;
    _Atomic int64_t latest;
    _Atomic bool stop;
    _Atomic bool closing; /* bell_close: no new waiters, all called */
    char *conninfo;
};

static void on_notify(void *ctx, const char *payload)
{
    struct events_bell *b = ctx;
    long long seq = strtoll(payload, NULL, 10);
    if (seq > atomic_load(&b->latest))
        atomic_store(&b->latest, seq);
}

/* Calls the waiters that are due (all of them when stopping), outside the
 * lock: a waiter's fn may take its time. */
static void ring(struct events_bell *b, bool all)
{
    int64_t now = mono_us(), latest = atomic_load(&b->latest);
    struct waiter *due = NULL, **w;
    pthread_mutex_lock(&b->lock);
    for (w = &b->waiters; *w;) {
        struct waiter *x = *w;
        if (all || latest > x->after || now >= x->deadline_us) {
            *w = x->next;
            x->next = due;
            due = x;
        } else {
            w = &x->next;
        }
    }
    pthread_mutex_unlock(&b->lock);
    if (due == NULL)
        return;
    pthread_mutex_lock(&b->calling);
    while (due) {
        struct waiter *x = due;
        due = x->next;
        x->fn(x->ctx, latest > x->after);
        free(x);
    }
    pthread_mutex_unlock(&b->calling);
}

void bell_cancel(struct events_bell *b, void *ctx)
{
    if (b == NULL)
        return;
    pthread_mutex_lock(&b->lock);
    for (struct waiter **w = &b->waiters; *w;) {
        struct waiter *x = *w;
        if (x->ctx == ctx) {
            *w = x->next;
            free(x);
        } else {
            w = &x->next;
        }
    }
    pthread_mutex_unlock(&b->lock);
    /* A call already under way ends before this returns. */
    pthread_mutex_lock(&b->calling);
    pthread_mutex_unlock(&b->calling);
}

static void *bell_loop(void *arg)
{
    struct events_bell *b = arg;
    struct store *s = NULL;
    int64_t polled = 0;
    while (!atomic_load(&b->stop)) {
        struct fault f = {0};
        if (s == NULL) {
            s = store_new(b->conninfo);
            if (s && store_listen_events(s, &f) != 0) {
                store_free(s);
                s = NULL;
            }
            polled = 0; /* read the head at once: a NOTIFY may be lost */
        }
        if (s && store_notifications(s, 100, on_notify, b, &f) != 0) {
            store_free(s);
            s = NULL;
        }
        int64_t now = mono_us();
        if (s && now - polled >= 1000000) {
            int64_t seq;
            if (store_event_head(&seq, s, &f) == 0 &&
                seq > atomic_load(&b->latest))
                atomic_store(&b->latest, seq);
            polled = now;
        }
        if (s == NULL) {
            struct timespec ts = {0, 100 * 1000000};
            nanosleep(&ts, NULL);
        }
        ring(b, false);
    }
    store_free(s);
    ring(b, true);
    return NULL;
}

struct events_bell *bell_start(const char *conninfo)
{
    struct events_bell *b = calloc(1, sizeof *b);
    if (b == NULL || (b->conninfo = strdup(conninfo)) == NULL) {
        free(b);
        return NULL;
    }
    pthread_mutex_init(&b->lock, NULL);
    pthread_mutex_init(&b->calling, NULL);
    if (pthread_create(&b->thread, NULL, bell_loop, b) != 0) {
        free(b->conninfo);
        free(b);
        return NULL;
    }
    return b;
}

void bell_stop(struct events_bell *b)
{
    if (b == NULL)
        return;
    atomic_store(&b->stop, true);
    pthread_join(b->thread, NULL);
    pthread_mutex_destroy(&b->lock);
    pthread_mutex_destroy(&b->calling);
    free(b->conninfo);
    free(b);
}

int64_t bell_latest(struct events_bell *b)
{
    return b ? atomic_load(&b->latest) : 0;
}

void bell_close(struct events_bell *b)
{
    if (b == NULL)
        return;
    atomic_store(&b->closing, true);
    ring(b, true);
}

bool bell_wait(struct events_bell *b, int64_t after, int timeout_ms,
               void (*fn)(void *ctx, bool fired), void *ctx)
{
    if (b == NULL || atomic_load(&b->closing))
        return false;
    struct waiter *w = b ? malloc(sizeof *w) : NULL;
    if (w == NULL)
        return false;
    w->after = after;
    w->deadline_us = mono_us() + (int64_t)timeout_ms * 1000;
    w->fn = fn;
    w->ctx = ctx;
    pthread_mutex_lock(&b->lock);
    w->next = b->waiters;
    b->waiters = w;
    pthread_mutex_unlock(&b->lock);
    return true;
}

