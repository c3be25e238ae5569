#include "core/merkle.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

void merkle_leaf(merkle_hash out, const void *data, size_t len)
{
    crypto_hash_sha256_state st;
    const unsigned char prefix = 0x00;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, &prefix, 1);
    crypto_hash_sha256_update(&st, data, len);
    crypto_hash_sha256_final(&st, out);
}

void merkle_node(merkle_hash out, const merkle_hash left,
                 const merkle_hash right)
{
    unsigned char in[1 + 2 * MERKLE_HASH_LEN];
    in[0] = 0x01;
    memcpy(in + 1, left, MERKLE_HASH_LEN);
    memcpy(in + 1 + MERKLE_HASH_LEN, right, MERKLE_HASH_LEN);
    crypto_hash_sha256(out, in, sizeof in); /* out may alias an input */
}

size_t merkle_frontier_count(int64_t size)
{
    return (size_t)__builtin_popcountll((unsigned long long)size);
}

void merkle_frontier_init(struct merkle_frontier *fr) { fr->size = 0; }

int merkle_frontier_load(struct merkle_frontier *fr, int64_t size,
                         const unsigned char *bytes, size_t len,
                         struct fault *f)
{
    size_t k = merkle_frontier_count(size);
    if (size < 0 || len != k * MERKLE_HASH_LEN)
        return fault_set(f, FAULT_TAMPERED, NULL,
                         "the tree frontier has %zu bytes for size %lld", len,
                         (long long)size);
    fr->size = size;
    memcpy(fr->h, bytes, len);
    return 0;
}

size_t merkle_push(struct merkle_frontier *fr, const merkle_hash leaf,
                   struct merkle_tile_node out[MERKLE_TILE_LEVELS])
{
    size_t k = merkle_frontier_count(fr->size), nout = 0;
    memcpy(fr->h[k++], leaf, MERKLE_HASH_LEN);
    int64_t after = fr->size + 1;
    /* Each trailing 1 bit of the old size is a subtree of the new leaf's
     * height: merge them, like a carry. */
    int height = 0;
    for (uint64_t s = (uint64_t)fr->size; s & 1; s >>= 1) {
        merkle_node(fr->h[k - 2], fr->h[k - 2], fr->h[k - 1]);
        k--;
        height++;
        if (height % MERKLE_TILE_HEIGHT == 0) {
            out[nout].level = height / MERKLE_TILE_HEIGHT;
            out[nout].index = (after >> height) - 1;
            memcpy(out[nout].hash, fr->h[k - 1], MERKLE_HASH_LEN);
            nout++;
        }
    }
    fr->size = after;
    return nout;
}

void merkle_root(merkle_hash out, const struct merkle_frontier *fr)
{
    size_t k = merkle_frontier_count(fr->size);
    if (k == 0) {
        crypto_hash_sha256(out, NULL, 0);
        return;
    }
    memcpy(out, fr->h[k - 1], MERKLE_HASH_LEN);
    for (size_t i = k - 1; i-- > 0;)
        merkle_node(out, fr->h[i], out);
}

int merkle_source_init(struct merkle_source *s, merkle_read_fn *read,
                       void *ctx, int64_t size, struct fault *f)
{
    memset(s, 0, sizeof *s);
    s->read = read;
    s->ctx = ctx;
    s->size = size;
    s->tiles = calloc(MERKLE_CACHE_TILES, sizeof *s->tiles);
    return s->tiles ? 0 : fault_set(f, FAULT_NOMEM, NULL, "out of memory");
}

void merkle_source_release(struct merkle_source *s)
{
    free(s->tiles);
    s->tiles = NULL;
}

/* The stored hashes [first, first + count) of tile level `level`, all in
 * one tile, or NULL with f set. */
static const merkle_hash *stored(struct merkle_source *s, int level,
                                 int64_t first, int64_t count, struct fault *f)
{
    int64_t tile = first / MERKLE_TILE_WIDTH;
    int64_t have = s->size >> (MERKLE_TILE_HEIGHT * level);
    int64_t width = have - tile * MERKLE_TILE_WIDTH;
    if (width > MERKLE_TILE_WIDTH)
        width = MERKLE_TILE_WIDTH;
    if (first + count > have) {
        fault_set(f, FAULT_INTERNAL, NULL, "no stored hash %lld at level %d",
                  (long long)(first + count - 1), level);
        return NULL;
    }
    size_t slot = s->ntiles;
    for (size_t i = 0; i < s->ntiles; i++)
        if (s->tiles[i].level == level && s->tiles[i].index == tile)
            slot = i;
    if (slot == s->ntiles) {
        slot = s->ntiles < MERKLE_CACHE_TILES ? s->ntiles++
                                              : s->next++ % MERKLE_CACHE_TILES;
        s->tiles[slot].level = -1;
        if (s->read(s->ctx, level, tile * MERKLE_TILE_WIDTH, width,
                    s->tiles[slot].h, f) != 0)
            return NULL;
        s->tiles[slot].level = level;
        s->tiles[slot].index = tile;
        s->tiles[slot].width = width;
    }
    return (const merkle_hash *)&s->tiles[slot].h[first - tile * MERKLE_TILE_WIDTH];
}

/* The root of the perfect subtree of the given height and index. */
static int subtree(struct merkle_source *s, int height, int64_t index,
                   merkle_hash out, struct fault *f)
{
    int level = height / MERKLE_TILE_HEIGHT, up = height % MERKLE_TILE_HEIGHT;
    int64_t count = (int64_t)1 << up;
    const merkle_hash *h = stored(s, level, index << up, count, f);
    if (h == NULL)
        return f && f->code ? f->code : FAULT_INTERNAL;
    merkle_hash row[MERKLE_TILE_WIDTH / 2];
    memcpy(row, h, (size_t)count * MERKLE_HASH_LEN);
    for (; count > 1; count /= 2)
        for (int64_t i = 0; i < count / 2; i++)
            merkle_node(row[i], row[2 * i], row[2 * i + 1]);
    memcpy(out, row[0], MERKLE_HASH_LEN);
    return 0;
}

/* The largest power of two below n (n >= 2). */
static int64_t split(int64_t n)
{
    return (int64_t)1 << (63 - __builtin_clzll((unsigned long long)(n - 1)));
}

int merkle_range(struct merkle_source *s, int64_t lo, int64_t hi,
                 merkle_hash out, struct fault *f)
{
    int64_t n = hi - lo;
    if (lo < 0 || n < 0 || hi > s->size)
        return fault_set(f, FAULT_INTERNAL, NULL, "range outside the tree");
    if (n == 0) {
        crypto_hash_sha256(out, NULL, 0);
        return 0;
    }
    if ((n & (n - 1)) == 0 && lo % n == 0)
        return subtree(s, __builtin_ctzll((unsigned long long)n), lo / n, out,
                       f);
    int64_t k = split(n);
    merkle_hash right;
    int rc = merkle_range(s, lo, lo + k, out, f);
    if (rc == 0)
        rc = merkle_range(s, lo + k, hi, right, f);
    if (rc == 0)
        merkle_node(out, out, right);
    return rc;
}

/* PATH(m, D[lo:hi]) of RFC 9162 2.1.3.1, appended to path. */
static int path_of(struct merkle_source *s, int64_t m, int64_t lo, int64_t hi,
                   merkle_hash *path, size_t *n, struct fault *f)
{
    if (hi - lo <= 1)
        return 0;
    int64_t k = split(hi - lo);
    int rc = m < k ? path_of(s, m, lo, lo + k, path, n, f)
                   : path_of(s, m - k, lo + k, hi, path, n, f);
    if (rc == 0)
        rc = m < k ? merkle_range(s, lo + k, hi, path[*n], f)
                   : merkle_range(s, lo, lo + k, path[*n], f);
    if (rc == 0)
        (*n)++;
    return rc;
}

int merkle_inclusion(struct merkle_source *s, int64_t index,
                     merkle_hash path[MERKLE_PROOF_MAX], size_t *n,
                     struct fault *f)
{
    *n = 0;
    if (index < 0 || index >= s->size)
        return fault_set(f, FAULT_INVALID, "seq",
                         "the tree of size %lld has no leaf %lld",
                         (long long)s->size, (long long)index + 1);
    return path_of(s, index, 0, s->size, path, n, f);
}

/* SUBPROOF(m, D[lo:hi], b) of RFC 9162 2.1.4.1, appended to path. */
static int subproof(struct merkle_source *s, int64_t m, int64_t lo,
                    int64_t hi, bool b, merkle_hash *path, size_t *n,
                    struct fault *f)
{
    int rc = 0;
    if (m == hi - lo) {
        if (!b && (rc = merkle_range(s, lo, hi, path[*n], f)) == 0)
            (*n)++;
        return rc;
    }
    int64_t k = split(hi - lo);
    if (m <= k)
        rc = subproof(s, m, lo, lo + k, b, path, n, f);
    else
        rc = subproof(s, m - k, lo + k, hi, false, path, n, f);
    if (rc == 0)
        rc = m <= k ? merkle_range(s, lo + k, hi, path[*n], f)
                    : merkle_range(s, lo, lo + k, path[*n], f);
    if (rc == 0)
        (*n)++;
    return rc;
}

int merkle_consistency(struct merkle_source *s, int64_t first,
                       merkle_hash path[MERKLE_PROOF_MAX], size_t *n,
                       struct fault *f)
{
    *n = 0;
    if (first < 1 || first > s->size)
        return fault_set(f, FAULT_INVALID, "from",
                         "from must be 1 to %lld", (long long)s->size);
    if (first == s->size)
        return 0;
    return subproof(s, first, 0, s->size, true, path, n, f);
}

/* Shifts fn and sn right until fn's low bit is set or fn is 0. */
static void shift_until_odd(uint64_t *fn, uint64_t *sn)
{
    while (*fn != 0 && !(*fn & 1)) {
        *fn >>= 1;
        *sn >>= 1;
    }
}

bool merkle_verify_inclusion(const merkle_hash leaf, int64_t index,
                             int64_t size, const unsigned char *path, size_t n,
                             const merkle_hash root)
{
    if (index < 0 || index >= size)
        return false;
    uint64_t fn = (uint64_t)index, sn = (uint64_t)size - 1;
    merkle_hash r;
    memcpy(r, leaf, MERKLE_HASH_LEN);
    for (size_t i = 0; i < n; i++) {
        if (sn == 0)
            return false;
        if ((fn & 1) || fn == sn) {
            merkle_node(r, path + 32 * i, r);
            if (!(fn & 1))
                shift_until_odd(&fn, &sn);
        } else {
            merkle_node(r, r, path + 32 * i);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && sodium_memcmp(r, root, MERKLE_HASH_LEN) == 0;
}

bool merkle_verify_consistency(int64_t first, int64_t second,
                               const merkle_hash first_root,
                               const merkle_hash second_root,
                               const unsigned char *path, size_t n)
{
    if (first < 1 || first > second)
        return false;
    if (first == second)
        return n == 0 &&
               sodium_memcmp(first_root, second_root, MERKLE_HASH_LEN) == 0;
    if (n == 0)
        return false;
    /* A first tree that is a perfect subtree is its own first hash. */
    bool pow2 = (first & (first - 1)) == 0;
    const unsigned char *c0 = pow2 ? first_root : path;
    size_t i = pow2 ? 0 : 1;
    uint64_t fn = (uint64_t)first - 1, sn = (uint64_t)second - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    merkle_hash fr, sr;
    memcpy(fr, c0, MERKLE_HASH_LEN);
    memcpy(sr, c0, MERKLE_HASH_LEN);
    for (; i < n; i++) {
        if (sn == 0)
            return false;
        if ((fn & 1) || fn == sn) {
            merkle_node(fr, path + 32 * i, fr);
            merkle_node(sr, path + 32 * i, sr);
            if (!(fn & 1))
                shift_until_odd(&fn, &sn);
        } else {
            merkle_node(sr, sr, path + 32 * i);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && sodium_memcmp(fr, first_root, MERKLE_HASH_LEN) == 0 &&
           sodium_memcmp(sr, second_root, MERKLE_HASH_LEN) == 0;
}
