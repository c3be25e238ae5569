#ifndef PLEDGED_APP_APP_H
#define PLEDGED_APP_APP_H
/*
 * The use cases' shared state, and the use cases every front end needs.
 *
 * api/ (HTTP) and cli/ (the command line) reach the database only through
 * app/: they hold a struct app and call app_*, admin_* (app/admin.h),
 * keys_* (app/keys.h), exporting_* and batcher_*; they never include
 * store/. A struct app is shared by the server's threads: its pool, cache
 * and batcher are thread-safe, the rest is read-only once open.
 */
#include "core/campaign.h"
#include "core/checkpoint.h"
#include "core/fault.h"
#include "core/signer.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

struct pool;
struct cache;
struct tile_cache;
struct batcher;
struct scheduler;
struct stripe;
struct events_bell;
struct deliveries;
struct delivery_options;

struct app_config {
    const char *conninfo;        /* libpq conninfo (DATABASE_URL) */
    /* For what needs a session of its own, which a pooler in transaction
     * mode (PgBouncer) does not keep: the LISTEN connections (totals cache,
     * events bell) and the card charges' session advisory lock
     * (PLEDGED_DIRECT_URL; NULL or "": conninfo). */
    const char *direct_conninfo;
    /* Where exports read (PLEDGED_READ_URL: a standby; NULL or "":
     * conninfo). Their admin log row is still written on conninfo. */
    const char *read_conninfo;
    /* No named prepared statements (PLEDGED_DB_PREPARE=0): for PgBouncer
     * in transaction mode before 1.21's max_prepared_statements. */
    bool no_prepare;
    size_t connections;          /* pool size, at least 1 */
    const struct signer *signer; /* receipts and heads; may be NULL */
    bool serve;                  /* also the totals cache and the batcher */
    unsigned committers;         /* batcher threads */
    size_t batch_max;
    unsigned batch_wait_us;
    /* Stripe (docs/PAYMENTS.md), serving only: the client from
     * PLEDGED_STRIPE_SECRET_KEY and PLEDGED_STRIPE_API (read by app_open:
     * the key stays inside the provider floor), and the webhook signing
     * secrets ("whsec_a,whsec_b"; NULL or "": webhooks refused). */
    const char *stripe_webhook_secret;
    /* Webhook deliveries (app/deliveries.h), serving only; NULL: none. */
    const struct delivery_options *deliveries;
    /* The transparency log's name (app/proofs.h): the origin prefix of
     * every checkpoint and its key's name; NULL: APP_LOG_NAME_DEFAULT. */
    const char *log_name;
};

#define APP_LOG_NAME_DEFAULT "localhost/pledged"

struct app {
    const char *conninfo;        /* for connections of their own */
    const char *direct_conninfo; /* app_config's, never NULL */
    const char *read_conninfo;   /* app_config's, never NULL */
    const struct signer *signer; /* NULL when no key was loaded */
    char log_name[CHECKPOINT_NAME_MAX + 1]; /* checkpoints' origin prefix */
    struct pool *pool;
    struct cache *cache;     /* NULL unless serving */
    struct tile_cache *tiles; /* app/tiles.h; NULL unless serving */
    struct batcher *batcher; /* NULL unless serving */
    struct stripe *stripe;       /* NULL: no card payments, no refunds
                                    through Stripe */
    char *stripe_webhook_secret; /* NULL: Stripe webhooks refused */
    struct events_bell *bell;    /* app/events.h; NULL unless serving */
    struct deliveries *deliveries; /* NULL: no webhook workers here */
    struct scheduler *scheduler; /* timed jobs (set by whoever starts
                                    them); app_close stops it */
    /* keys_signing_check(): when the signer's kid was last looked up
     * (monotonic microseconds), and whether it was found retired. */
    _Atomic long long key_checked_us;
    _Atomic bool key_retired;
};

/* Opens what cfg asks for (connecting lazily): NULL with FAULT_NOMEM when
 * out of memory or a thread cannot start. */
struct app *app_open(const struct app_config *cfg, struct fault *f);
void app_close(struct app *a); /* accepts NULL */

/* 0 if the database answers, else FAULT_UNAVAILABLE. */
int app_ping(struct app *a, struct fault *f)
    __attribute__((warn_unused_result));

struct app_stats {
    size_t pool_in_use, pool_size;
    unsigned long cache_hits, cache_misses;
    bool cache_live; /* LISTENing, so cached totals are fresh */
};

void app_stats(struct app_stats *out, struct app *a);

/* Applies every embedded migration not applied yet: *applied (may be
 * NULL) gets how many ran, *known how many there are. */
int app_migrate(struct app *a, int *applied, size_t *known, struct fault *f)
    __attribute__((warn_unused_result));

/* The reference campaign help-us and its demo pledges (with receipts when
 * a signer is loaded); a re-run only tops up what is missing. */
int app_seed(struct app *a, int *added, struct fault *f)
    __attribute__((warn_unused_result));

struct store;
/* For app/'s use cases that read a campaign and then more of it on one
 * connection: a pooled store in *s (release it with pool_release) and the
 * campaign c, read on it. 0, or FAULT_NOT_FOUND / FAULT_UNAVAILABLE with
 * nothing held. */
int app_campaign_store(struct store **s, struct campaign *c, struct app *a,
                       const char *id, struct fault *f)
    __attribute__((warn_unused_result));

/* A campaign and its totals for the public: from memory while the cache
 * is fresh, else from the database. FAULT_NOT_FOUND, FAULT_UNAVAILABLE. */
int app_campaign_public(struct campaign *c, struct totals *t, struct app *a,
                        const char *id, struct fault *f)
    __attribute__((warn_unused_result));

#endif
