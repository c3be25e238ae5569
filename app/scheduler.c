#include "app/scheduler.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define JOBS_MAX 8

struct scheduler {
    struct app *app;
    struct job jobs[JOBS_MAX];
    int64_t due_ms[JOBS_MAX];
    size_t n;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stop;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *loop(void *arg)
{
    struct scheduler *s = arg;
    pthread_mutex_lock(&s->lock);
    while (!s->stop) {
        int64_t now = now_ms(), next = now + 60000;
        for (size_t i = 0; i < s->n && !s->stop; i++) {
            if (s->due_ms[i] <= now) {
                pthread_mutex_unlock(&s->lock);
                s->jobs[i].run(s->app);
                pthread_mutex_lock(&s->lock);
                now = now_ms();
                s->due_ms[i] = now + s->jobs[i].interval_ms;
            }
            if (s->due_ms[i] < next)
                next = s->due_ms[i];
        }
        if (s->stop)
            break;
        struct timespec until = {.tv_sec = (time_t)(next / 1000),
                                 .tv_nsec = (long)(next % 1000) * 1000000L};
        pthread_cond_timedwait(&s->wake, &s->lock, &until);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

struct scheduler *scheduler_start(struct app *a, const struct job *jobs,
                                  size_t n)
{
    struct scheduler *s = calloc(1, sizeof *s);
    if (s == NULL || n > JOBS_MAX) {
        free(s);
        return NULL;
    }
    s->app = a;
    s->n = n;
    memcpy(s->jobs, jobs, n * sizeof *jobs);
    int64_t now = now_ms();
    for (size_t i = 0; i < n; i++)
        s->due_ms[i] = now + jobs[i].interval_ms;
    pthread_mutex_init(&s->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&s->wake, &attr);
    pthread_condattr_destroy(&attr);
    if (pthread_create(&s->thread, NULL, loop, s) != 0) {
        pthread_mutex_destroy(&s->lock);
        pthread_cond_destroy(&s->wake);
        free(s);
        return NULL;
    }
    return s;
}

void scheduler_stop(struct scheduler *s)
{
    if (s == NULL)
        return;
    pthread_mutex_lock(&s->lock);
    s->stop = true;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->wake);
    free(s);
}
