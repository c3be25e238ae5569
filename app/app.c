#include "app/app.h"

#include "app/batch.h"
#include "app/cache.h"
#include "app/bell.h"
#include "app/deliveries.h"
#include "app/scheduler.h"
#include "app/tiles.h"
#include "app/seed.h"
#include "core/embed.h"
#include "provider/stripe.h"
#include "store/pool.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct app *app_open(const struct app_config *cfg, struct fault *f)
{
    struct app *a = calloc(1, sizeof *a);
    if (a == NULL) {
        fault_set(f, FAULT_NOMEM, NULL, "out of memory");
        return NULL;
    }
    a->conninfo = cfg->conninfo ? cfg->conninfo : "";
    a->direct_conninfo = cfg->direct_conninfo && cfg->direct_conninfo[0]
                             ? cfg->direct_conninfo
                             : a->conninfo;
    a->read_conninfo = cfg->read_conninfo && cfg->read_conninfo[0]
                           ? cfg->read_conninfo
                           : a->conninfo;
    store_prepare_statements(!cfg->no_prepare);
    a->signer = cfg->signer;
    snprintf(a->log_name, sizeof a->log_name, "%s",
             cfg->log_name && cfg->log_name[0] ? cfg->log_name
                                               : APP_LOG_NAME_DEFAULT);
    a->pool = pool_new(a->conninfo, cfg->connections ? cfg->connections : 1);
    bool ok = a->pool != NULL;
    if (ok && cfg->serve) {
        a->cache = cache_new(a->direct_conninfo);
        struct batcher_config bc = {
            .conninfo = a->conninfo,
            .signer = cfg->signer,
            .cache = a->cache,
            .threads = cfg->committers,
            .max_batch = cfg->batch_max,
            .wait_us = cfg->batch_wait_us,
        };
        a->batcher = batcher_new(&bc);
        a->bell = bell_start(a->direct_conninfo);
        /* 512 tiles, 4 MiB at most: a 1M-entry tree's upper levels and
         * right edge, and the leaf tiles most asked for. */
        a->tiles = tile_cache_new(512);
        ok = a->batcher != NULL && a->cache != NULL && a->bell != NULL &&
             a->tiles != NULL;
        if (ok && cfg->deliveries && cfg->deliveries->workers)
            ok = (a->deliveries = deliveries_start(a->conninfo, a->bell,
                                                 a->signer, cfg->deliveries)) !=
                 NULL;
        if (ok && cfg->stripe_webhook_secret && cfg->stripe_webhook_secret[0])
            ok = (a->stripe_webhook_secret =
                      strdup(cfg->stripe_webhook_secret)) != NULL;
        struct fault sf = {0};
        if (ok && (a->stripe = stripe_from_env(&sf)) == NULL &&
            sf.code != FAULT_NOT_FOUND) {
            /* a key or URL set but refused: say so, never serve half set */
            app_close(a);
            if (f) {
                *f = sf;
                fault_context(f, "PLEDGED_STRIPE_SECRET_KEY or "
                                 "PLEDGED_STRIPE_API");
            }
            return NULL;
        }
    }
    if (!ok) {
        app_close(a);
        fault_set(f, FAULT_NOMEM, NULL, "out of memory");
        return NULL;
    }
    return a;
}

void app_close(struct app *a)
{
    if (a == NULL)
        return;
    scheduler_stop(a->scheduler);
    deliveries_stop(a->deliveries);
    bell_stop(a->bell);
    batcher_free(a->batcher);
    cache_free(a->cache);
    tile_cache_free(a->tiles);
    stripe_free(a->stripe);
    if (a->stripe_webhook_secret) {
        explicit_bzero(a->stripe_webhook_secret,
                       strlen(a->stripe_webhook_secret));
        free(a->stripe_webhook_secret);
    }
    pool_free(a->pool);
    free(a);
}

int app_ping(struct app *a, struct fault *f)
{
    struct store *s = pool_acquire(a->pool, POOL_WAIT_MS, f);
    int rc = s ? store_ping(s, f) : FAULT_UNAVAILABLE;
    pool_release(a->pool, s);
    return rc;
}

void app_stats(struct app_stats *out, struct app *a)
{
    *out = (struct app_stats){0};
    out->pool_in_use = pool_in_use(a->pool);
    out->pool_size = pool_size(a->pool);
    if (a->cache)
        cache_stats(a->cache, &out->cache_hits, &out->cache_misses,
                    &out->cache_live);
}

#define MIGRATIONS_MAX 32

int app_migrate(struct app *a, int *applied, size_t *known, struct fault *f)
{
    struct migration m[MIGRATIONS_MAX];
    size_t n = embedded_sql_count;
    if (n > MIGRATIONS_MAX)
        return fault_set(f, FAULT_INTERNAL, NULL, "%zu migrations, room for %d",
                         n, MIGRATIONS_MAX);
    for (size_t i = 0; i < n; i++)
        m[i] = (struct migration){embedded_sql[i].name,
                                  (const char *)embedded_sql[i].data};
    if (known)
        *known = n;
    struct store *s = pool_acquire(a->pool, POOL_WAIT_MS, f);
    int rc = s ? store_migrate(s, m, n, applied, f) : FAULT_UNAVAILABLE;
    pool_release(a->pool, s);
    return rc;
}

int app_seed(struct app *a, int *added, struct fault *f)
{
    struct store *s = pool_acquire(a->pool, POOL_WAIT_MS, f);
    int rc = s ? seed_reference(s, a->signer, added, f) : FAULT_UNAVAILABLE;
    pool_release(a->pool, s);
    return rc;
}

int app_campaign_store(struct store **s, struct campaign *c, struct app *a,
                       const char *id, struct fault *f)
{
    *s = NULL;
    if (!campaign_id_valid(id))
        return fault_set(f, FAULT_NOT_FOUND, NULL, "no such campaign");
    struct store *got = pool_acquire(a->pool, POOL_WAIT_MS, f);
    if (got == NULL)
        return FAULT_UNAVAILABLE;
    int rc = store_campaign_get(c, NULL, got, id, f);
    if (rc == 0)
        *s = got;
    else
        pool_release(a->pool, got);
    return rc;
}

int app_campaign_public(struct campaign *c, struct totals *t, struct app *a,
                        const char *id, struct fault *f)
{
    if (!campaign_id_valid(id))
        return fault_set(f, FAULT_NOT_FOUND, NULL, "no such campaign");
    if (a->cache)
        return cache_get(c, t, a->cache, a->pool, id, f);
    struct store *s = pool_acquire(a->pool, POOL_WAIT_MS, f);
    int rc = s ? store_campaign_get(c, t, s, id, f) : FAULT_UNAVAILABLE;
    pool_release(a->pool, s);
    return rc;
}
