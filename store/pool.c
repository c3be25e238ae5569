#include "store/pool.h"

#include "store/store.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct pool {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    size_t size;
    size_t nfree;
    struct store **free; /* stack of idle stores */
};

struct pool *pool_new(const char *conninfo, size_t size)
{
    struct pool *p = calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    p->free = calloc(size ? size : 1, sizeof *p->free);
    if (p->free == NULL)
        goto fail;
    pthread_mutex_init(&p->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&p->freed, &attr);
    pthread_condattr_destroy(&attr);
    p->size = size;
    for (; p->nfree < size; p->nfree++) {
        p->free[p->nfree] = store_new(conninfo);
        if (p->free[p->nfree] == NULL)
            goto fail;
    }
    return p;
fail:
    pool_free(p);
    return NULL;
}

void pool_free(struct pool *p)
{
    if (p == NULL)
        return;
    if (p->free) {
        for (size_t i = 0; i < p->nfree; i++)
            store_free(p->free[i]);
        pthread_mutex_destroy(&p->lock);
        pthread_cond_destroy(&p->freed);
    }
    free(p->free);
    free(p);
}

struct store *pool_acquire(struct pool *p, int wait_ms, struct fault *f)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += wait_ms / 1000;
    until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    struct store *s = NULL;
    pthread_mutex_lock(&p->lock);
    while (p->nfree == 0) {
        if (pthread_cond_timedwait(&p->freed, &p->lock, &until) == ETIMEDOUT)
            break;
    }
    if (p->nfree > 0)
        s = p->free[--p->nfree];
    pthread_mutex_unlock(&p->lock);
    if (s == NULL)
        fault_set(f, FAULT_UNAVAILABLE, NULL, "all database connections busy");
    return s;
}

void pool_release(struct pool *p, struct store *s)
{
    if (s == NULL)
        return;
    pthread_mutex_lock(&p->lock);
    p->free[p->nfree++] = s;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->lock);
}

size_t pool_in_use(struct pool *p)
{
    pthread_mutex_lock(&p->lock);
    size_t n = p->size - p->nfree;
    pthread_mutex_unlock(&p->lock);
    return n;
}

size_t pool_size(const struct pool *p)
{
    return p->size;
}
