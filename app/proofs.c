#include "app/proofs.h"

#include "app/app.h"
#include "app/keys.h"
#include "app/tiles.h"
#include "core/ledger.h"
#include "store/pool.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *proofs_checkpoint(struct app *a, const char *campaign_id,
                        struct fault *f)
{
    struct campaign c;
    struct totals t;
    if (app_campaign_public(&c, &t, a, campaign_id, f) != 0 ||
        keys_signing_check(a, f) != 0)
        return NULL;
    struct checkpoint cp = {.size = t.seq,
                            .raised_minor = t.raised_minor,
                            .collected_minor = t.collected_minor,
                            .goal_minor = c.goal_minor};
    snprintf(cp.origin, sizeof cp.origin, "%s/%s", a->log_name, c.id);
    memcpy(cp.currency, c.currency, sizeof cp.currency);
    merkle_root(cp.root, &t.tree);
    char *note = checkpoint_sign(&cp, a->log_name, a->signer);
    if (note == NULL)
        fault_set(f, FAULT_NOMEM, NULL, "out of memory");
    return note;
}

/* A merkle_source reading one campaign's tiles from the tile cache, else
 * through a pooled store (and then into the cache). */
struct reader {
    struct store *s;
    struct tile_cache *cache;
    const char *campaign_id;
};

static int read_tiles(void *ctx, int level, int64_t first, int64_t count,
                      merkle_hash *out, struct fault *f)
{
    struct reader *r = ctx;
    if (tile_cache_get(r->cache, r->campaign_id, level, first, count, out))
        return 0;
    int rc = store_merkle_read(r->s, r->campaign_id, level, first, count, out,
                               f);
    if (rc == 0)
        tile_cache_put(r->cache, r->campaign_id, level, first, count, out);
    return rc;
}

/* The campaign's current tree (its size and frontier) from the totals. */
static int current(struct totals *t, struct app *a, const char *campaign_id,
                   struct fault *f)
{
    struct campaign c;
    return app_campaign_public(&c, t, a, campaign_id, f);
}

/* Runs fn over a source of the tree at size. */
static int with_source(struct app *a, const char *campaign_id, int64_t size,
                       int (*fn)(struct merkle_source *src, void *ctx,
                                 struct fault *f),
                       void *ctx, struct fault *f)
{
    struct store *s = pool_acquire(a->pool, POOL_WAIT_MS, f);
    if (s == NULL)
        return FAULT_UNAVAILABLE;
    struct reader rd = {s, a->tiles, campaign_id};
    struct merkle_source src;
    int rc = merkle_source_init(&src, read_tiles, &rd, size, f);
    if (rc == 0)
        rc = fn(&src, ctx, f);
    merkle_source_release(&src);
    pool_release(a->pool, s);
    return rc;
}

/* The root at size: from the frontier at the current size, else from the
 * tiles. */
static int root_at(merkle_hash out, struct merkle_source *src,
                   const struct totals *t, struct fault *f)
{
    if (src->size == t->seq) {
        merkle_root(out, &t->tree);
        return 0;
    }
    return merkle_range(src, 0, src->size, out, f);
}

struct job {
    struct proof *p;
    const struct totals *t;
};

static int inclusion(struct merkle_source *src, void *ctx, struct fault *f)
{
    struct job *j = ctx;
    int rc = merkle_inclusion(src, j->p->first, j->p->path, &j->p->n, f);
    if (rc == 0)
        rc = merkle_range(src, j->p->first, j->p->first + 1, j->p->leaf, f);
    return rc ? rc : root_at(j->p->root, src, j->t, f);
}

/* The current tree into t, and *size checked against it (0: its size
 * now): 0, or FAULT_INVALID naming field, or the read's fault. */
static int sized(struct totals *t, int64_t *size, struct app *a,
                 const char *campaign_id, const char *field, struct fault *f)
{
    int rc = current(t, a, campaign_id, f);
    if (rc)
        return rc;
    if (*size == 0)
        *size = t->seq;
    if (*size < 1 || *size > t->seq)
        return fault_set(f, FAULT_INVALID, field,
                         "%s must be 1 to %lld, the tree's size now", field,
                         (long long)t->seq);
    return 0;
}

int proofs_inclusion(struct proof *out, struct app *a,
                     const char *campaign_id, int64_t seq, int64_t size,
                     struct fault *f)
{
    struct totals t;
    int rc = sized(&t, &size, a, campaign_id, "size", f);
    if (rc)
        return rc;
    if (seq < 1 || seq > size)
        return fault_set(f, FAULT_INVALID, "seq",
                         "seq must be 1 to %lld (the size)", (long long)size);
    memset(out, 0, sizeof *out);
    out->size = size;
    out->first = seq - 1;
    struct job j = {out, &t};
    return with_source(a, campaign_id, size, inclusion, &j, f);
}

static int consistency(struct merkle_source *src, void *ctx, struct fault *f)
{
    struct job *j = ctx;
    int rc = merkle_consistency(src, j->p->first, j->p->path, &j->p->n, f);
    if (rc == 0)
        rc = merkle_range(src, 0, j->p->first, j->p->first_root, f);
    return rc ? rc : root_at(j->p->root, src, j->t, f);
}

int proofs_consistency(struct proof *out, struct app *a,
                       const char *campaign_id, int64_t from, int64_t to,
                       struct fault *f)
{
    struct totals t;
    int rc = sized(&t, &to, a, campaign_id, "to", f);
    if (rc)
        return rc;
    if (from < 1 || from > to)
        return fault_set(f, FAULT_INVALID, "from",
                         "from must be 1 to %lld (to)", (long long)to);
    memset(out, 0, sizeof *out);
    out->size = to;
    out->first = from;
    struct job j = {out, &t};
    return with_source(a, campaign_id, to, consistency, &j, f);
}

static int bundle_entry(void *ctx, const struct ledger_entry *e)
{
    struct buf *out = ctx;
    struct buf one;
    buf_init(&one);
    int rc = ledger_canon(&one, e, NULL);
    if (rc == 0 && (one.len > 0xffff || buf_failed(&one)))
        rc = FAULT_INTERNAL;
    if (rc == 0) {
        unsigned char len[2] = {(unsigned char)(one.len >> 8),
                                (unsigned char)one.len};
        buf_append(out, len, 2);
        buf_append(out, one.data, one.len);
    }
    buf_release(&one);
    return rc;
}

int proofs_tile(struct buf *out, struct app *a, const char *campaign_id,
                int level, bool entries, int64_t index, int64_t width,
                struct fault *f)
{
    struct totals t;
    int rc = current(&t, a, campaign_id, f);
    if (rc)
        return rc;
    /* Hashes stored at this level now; a tile beyond them is not yet. */
    int64_t have = level >= MERKLE_TILE_LEVELS
                       ? 0
                       : t.seq >> (MERKLE_TILE_HEIGHT * level);
    if (width < 1 || width > MERKLE_TILE_WIDTH || index < 0 ||
        index > INT64_MAX / (2 * MERKLE_TILE_WIDTH) ||
        index * MERKLE_TILE_WIDTH + width > have)
        return fault_set(f, FAULT_NOT_FOUND, NULL,
                         "the tree has no such tile yet");
    struct store *s = pool_acquire(a->pool, POOL_WAIT_MS, f);
    if (s == NULL)
        return FAULT_UNAVAILABLE;
    int64_t first = index * MERKLE_TILE_WIDTH;
    if (entries) {
        rc = store_entries_range(s, campaign_id, first + 1, width,
                                 bundle_entry, out, f);
        if (rc == FAULT_INTERNAL)
            fault_set(f, rc, NULL, "an entry does not fit a bundle");
    } else {
        merkle_hash *h = malloc((size_t)width * sizeof *h);
        rc = h ? store_merkle_read(s, campaign_id, level, first, width, h, f)
               : fault_set(f, FAULT_NOMEM, NULL, "out of memory");
        if (rc == 0)
            buf_append(out, h, (size_t)width * MERKLE_HASH_LEN);
        free(h);
    }
    pool_release(a->pool, s);
    if (rc == 0 && buf_failed(out))
        rc = fault_set(f, FAULT_NOMEM, NULL, "out of memory");
    return rc;
}
