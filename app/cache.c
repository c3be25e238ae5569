#include "app/cache.h"

#include "store/pool.h"
#include "store/store.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SLOTS 1024

struct slot {
    char id[CAMPAIGN_ID_MAX + 1]; /* "" when free */
    unsigned long gen;
    bool valid;
    struct campaign c;
    struct totals t;
};

struct cache {
    pthread_mutex_t lock;
    struct slot *slots;
    size_t next_victim;
    bool live; /* the listener is LISTENing */
    _Atomic bool stop;
    _Atomic unsigned long hits, misses;
    char *conninfo;
    pthread_t listener;
};

/* The slot for id, made if needed (evicting round-robin). Lock held. */
static struct slot *slot_for(struct cache *c, const char *id)
{
    struct slot *free_slot = NULL;
    for (size_t i = 0; i < SLOTS; i++) {
        if (strcmp(c->slots[i].id, id) == 0)
            return &c->slots[i];
        if (!free_slot && c->slots[i].id[0] == '\0')
            free_slot = &c->slots[i];
    }
    struct slot *s =
        free_slot ? free_slot : &c->slots[c->next_victim++ % SLOTS];
    unsigned long gen =
        s->gen + 1; /* an evicted slot's loader must not store */
    memset(s, 0, sizeof *s);
    s->gen = gen;
    snprintf(s->id, sizeof s->id, "%s", id);
    return s;
}

void cache_forget(struct cache *c, const char *id)
{
    if (c == NULL)
        return;
    pthread_mutex_lock(&c->lock);
    struct slot *s = slot_for(c, id);
    s->gen++;
    s->valid = false;
    pthread_mutex_unlock(&c->lock);
}

static void on_notify(void *ctx, const char *payload)
{
    cache_forget(ctx, payload);
}

static void set_live(struct cache *c, bool live)
{
    pthread_mutex_lock(&c->lock);
    c->live = live;
    for (size_t i = 0; i < SLOTS; i++) { /* trust nothing from before */
        c->slots[i].gen++;
        c->slots[i].valid = false;
    }
    pthread_mutex_unlock(&c->lock);
}

static void *listen_loop(void *arg)
{
    struct cache *c = arg;
    struct store *s = store_new(c->conninfo);
    bool live = false;
    while (s && !atomic_load(&c->stop)) {
        if (!live) {
            if (store_listen_totals(s, NULL) == 0) {
                live = true;
                set_live(c, true);
            } else {
                struct timespec pause = {0, 250 * 1000 * 1000};
                nanosleep(&pause, NULL);
            }
            continue;
        }
        if (store_notifications(s, 250, on_notify, c, NULL) != 0) {
            live = false;
            set_live(c, false);
        }
    }
    store_free(s);
    return NULL;
}

struct cache *cache_new(const char *conninfo)
{
    struct cache *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->slots = calloc(SLOTS, sizeof *c->slots);
    c->conninfo = strdup(conninfo ? conninfo : "");
    pthread_mutex_init(&c->lock, NULL);
    if (c->slots == NULL || c->conninfo == NULL ||
        pthread_create(&c->listener, NULL, listen_loop, c) != 0) {
        free(c->slots);
        free(c->conninfo);
        pthread_mutex_destroy(&c->lock);
        free(c);
        return NULL;
    }
    return c;
}

void cache_free(struct cache *c)
{
    if (c == NULL)
        return;
    atomic_store(&c->stop, true);
    pthread_join(c->listener, NULL);
    pthread_mutex_destroy(&c->lock);
    free(c->slots);
    free(c->conninfo);
    free(c);
}

int cache_get(struct campaign *out, struct totals *t, struct cache *c,
              struct pool *pool, const char *id, struct fault *f)
{
    pthread_mutex_lock(&c->lock);
    bool live = c->live;
    struct slot *s = live ? slot_for(c, id) : NULL;
    if (s && s->valid) {
        *out = s->c;
        *t = s->t;
        pthread_mutex_unlock(&c->lock);
        atomic_fetch_add(&c->hits, 1);
        return 0;
    }
    unsigned long gen = s ? s->gen : 0;
    pthread_mutex_unlock(&c->lock);
    atomic_fetch_add(&c->misses, 1);

    struct store *st = pool_acquire(pool, POOL_WAIT_MS, f);
    int rc = st ? store_campaign_get(out, t, st, id, f) : FAULT_UNAVAILABLE;
    pool_release(pool, st);
    if (rc != 0 || !live)
        return rc;
    pthread_mutex_lock(&c->lock);
    s = slot_for(c, id);
    if (s->gen == gen && c->live) { /* nothing changed while we read */
        s->c = *out;
        s->t = *t;
        s->valid = true;
    }
    pthread_mutex_unlock(&c->lock);
    return 0;
}

void cache_stats(struct cache *c, unsigned long *hits, unsigned long *misses,
                 bool *live)
{
    *hits = atomic_load(&c->hits);
    *misses = atomic_load(&c->misses);
    pthread_mutex_lock(&c->lock);
    *live = c->live;
    pthread_mutex_unlock(&c->lock);
}
