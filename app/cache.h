#ifndef PLEDGED_APP_CACHE_H
#define PLEDGED_APP_CACHE_H
/*
 * Campaigns and their totals served from memory. Every ledger write and
 * campaign change NOTIFYs "pledged_totals" with the campaign id in the same
 * transaction; a listener thread (its own connection) drops the entry as
 * soon as the commit is visible, in this instance and in every other one
 * on the same database, and the next read loads it again. While the
 * listener is not connected, nothing is trusted: reads go to the database.
 *
 * An entry loaded while a notification for it arrives is not kept (each
 * slot has a generation that notifications bump), so the cache never
 * holds totals older than the last notification it saw. Thread-safe.
 */
#include "core/campaign.h"
#include "core/fault.h"

struct pool;
struct cache;

/* Starts the listener on conninfo. NULL when out of memory. */
struct cache *cache_new(const char *conninfo);
void cache_free(struct cache *c);

/* The campaign and its totals (one consistent read), from memory or, on a
 * miss, through a store of pool. FAULT_NOT_FOUND, FAULT_UNAVAILABLE. */
int cache_get(struct campaign *c, struct totals *t, struct cache *cache,
              struct pool *pool, const char *id, struct fault *f)
    __attribute__((warn_unused_result));

/* Drops id's entry, as its change notification will: for a writer that
 * must read its own write at once. Accepts a NULL cache. */
void cache_forget(struct cache *c, const char *id);

/* Counters for /metrics. */
void cache_stats(struct cache *c, unsigned long *hits, unsigned long *misses,
                 bool *live);

#endif
