#ifndef PLEDGED_MERKLE_H
#define PLEDGED_MERKLE_H
/*
 * The Merkle tree of a campaign's ledger, exactly as RFC 9162 section 2.1
 * defines it, with SHA-256:
 *   leaf i (0-based) = SHA-256(0x00 || canonical(entry seq i+1))
 *   node             = SHA-256(0x01 || left || right)
 *   MTH({})          = SHA-256("")
 * so that any RFC 9162 / C2SP tlog tool can check our proofs.
 *
 * Storage (store/merkle.c) follows C2SP tlog-tiles: tiles of height 8.
 * Tile level 0 holds leaf hashes (kept beside each entry); tile level L >= 1
 * holds the roots of the perfect subtrees of height 8L, written once, when
 * the entry that completes them commits. Everything else is computed from
 * those, so a proof at any size reads a few tiles and never the ledger.
 *
 * The frontier is the tree's right edge: the roots of its perfect subtrees,
 * largest first, one per set bit of the size. It is all an append needs:
 * the root, and every completed subtree, come from it.
 */
#include "core/fault.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MERKLE_HASH_LEN 32
#define MERKLE_DEPTH_MAX 63     /* sizes below 2^63 */
#define MERKLE_TILE_HEIGHT 8
#define MERKLE_TILE_WIDTH 256
#define MERKLE_TILE_LEVELS 8    /* tile levels 0..7 cover 2^63 leaves */
#define MERKLE_PROOF_MAX 126    /* hashes in the longest consistency proof */

typedef unsigned char merkle_hash[MERKLE_HASH_LEN];

struct merkle_frontier {
    int64_t size;
    merkle_hash h[MERKLE_DEPTH_MAX]; /* popcount(size) of them */
};

/* A perfect subtree completed by an append, stored at tile level `level`
 * (its height is 8 * level) and index `index` within that level. */
struct merkle_tile_node {
    int level;
    int64_t index;
    merkle_hash hash;
};

void merkle_leaf(merkle_hash out, const void *data, size_t len);
void merkle_node(merkle_hash out, const merkle_hash left,
                 const merkle_hash right);

/* Hashes in the frontier of a tree of size leaves. */
size_t merkle_frontier_count(int64_t size);

void merkle_frontier_init(struct merkle_frontier *fr);

/* Loads the frontier of a tree of size leaves from its stored bytes (the
 * hashes, largest subtree first): 0, or FAULT_TAMPERED if the length does
 * not fit the size. */
int merkle_frontier_load(struct merkle_frontier *fr, int64_t size,
                         const unsigned char *bytes, size_t len,
                         struct fault *f) __attribute__((warn_unused_result));

/* Appends a leaf. Writes the perfect subtrees of height 8L (L >= 1) that
 * this leaf completes to out and returns how many (0 for 255 of every 256
 * appends). */
size_t merkle_push(struct merkle_frontier *fr, const merkle_hash leaf,
                   struct merkle_tile_node out[MERKLE_TILE_LEVELS]);

/* The tree head MTH of the frontier's tree. */
void merkle_root(merkle_hash out, const struct merkle_frontier *fr);

/* Where proofs read stored hashes: count hashes of tile level `level`
 * (leaves for 0) from index first. 0, or a fault. */
typedef int merkle_read_fn(void *ctx, int level, int64_t first, int64_t count,
                           merkle_hash *out, struct fault *f);

#define MERKLE_CACHE_TILES 8

/* The tiles of one tree size, read once each while a proof is built. */
struct merkle_source {
    merkle_read_fn *read;
    void *ctx;
    int64_t size;
    size_t ntiles, next;
    struct {
        int level;
        int64_t index, width;
        merkle_hash h[MERKLE_TILE_WIDTH];
    } *tiles; /* MERKLE_CACHE_TILES, allocated by merkle_source_init */
};

/* 0, or FAULT_NOMEM. Release with merkle_source_release. */
int merkle_source_init(struct merkle_source *s, merkle_read_fn *read,
                       void *ctx, int64_t size, struct fault *f)
    __attribute__((warn_unused_result));
void merkle_source_release(struct merkle_source *s);

/* The inclusion proof of leaf index in the tree of s->size leaves (RFC
 * 9162 2.1.3.1): *n hashes in path. 0, FAULT_INVALID (index out of range)
 * or the read's fault. */
int merkle_inclusion(struct merkle_source *s, int64_t index,
                     merkle_hash path[MERKLE_PROOF_MAX], size_t *n,
                     struct fault *f) __attribute__((warn_unused_result));

/* The consistency proof from size first to s->size (RFC 9162 2.1.4.1). */
int merkle_consistency(struct merkle_source *s, int64_t first,
                       merkle_hash path[MERKLE_PROOF_MAX], size_t *n,
                       struct fault *f) __attribute__((warn_unused_result));

/* MTH of leaves [lo, hi) of s's tree: with lo = 0 and hi = s->size, the
 * root at that size. */
int merkle_range(struct merkle_source *s, int64_t lo, int64_t hi,
                 merkle_hash out, struct fault *f)
    __attribute__((warn_unused_result));

/* The verifiers of RFC 9162 2.1.3.2 and 2.1.4.2; path holds n hashes. */
bool merkle_verify_inclusion(const merkle_hash leaf, int64_t index,
                             int64_t size, const unsigned char *path, size_t n,
                             const merkle_hash root);
bool merkle_verify_consistency(int64_t first, int64_t second,
                               const merkle_hash first_root,
                               const merkle_hash second_root,
                               const unsigned char *path, size_t n);

#endif
