#ifndef PLEDGED_APP_SCHEDULER_H
#define PLEDGED_APP_SCHEDULER_H
/*
 * The one scheduler for every timed job (today: the sweep that voids
 * promises past their campaign's pledge_ttl_s). One thread runs each job
 * every interval; a job must be safe when several instances run it at
 * once (the sweep is: each void is decided under the campaign's lock and
 * a promise can be voided only once, a unique index).
 */
#include <stddef.h>

struct app;
struct scheduler;

struct job {
    const char *name;
    unsigned interval_ms;
    void (*run)(struct app *a);
};

/* Starts the thread: NULL when out of memory or no thread. */
struct scheduler *scheduler_start(struct app *a, const struct job *jobs,
                                  size_t n);

/* Stops the thread (waiting for a job that runs) and frees. Accepts NULL. */
void scheduler_stop(struct scheduler *s);

#endif
