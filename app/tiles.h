#ifndef PLEDGED_APP_TILES_H
#define PLEDGED_APP_TILES_H
/*
 * A process-wide cache of Merkle tiles (core/merkle.h). A tile, full or
 * partial, never changes once the tree has grown past it (the ledger is
 * append-only), so it is keyed by campaign, level, index and width and
 * never invalidated. Proofs at the same tree size share its upper levels
 * and right edge: with them here, a proof reads the database once, for
 * its leaf's own tile. Thread-safe; direct-mapped: a collision replaces.
 */
#include "core/merkle.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tile_cache;

/* A cache of up to slots tiles (8 KiB each at most): NULL when out of
 * memory. */
struct tile_cache *tile_cache_new(size_t slots);
void tile_cache_free(struct tile_cache *c); /* accepts NULL */

/* Copies the tile into out and returns true when it is cached. */
bool tile_cache_get(struct tile_cache *c, const char *campaign_id, int level,
                    int64_t first, int64_t count, merkle_hash *out);
void tile_cache_put(struct tile_cache *c, const char *campaign_id, int level,
                    int64_t first, int64_t count, merkle_hash *hashes);

#endif
