#ifndef PLEDGED_APP_PROOFS_H
#define PLEDGED_APP_PROOFS_H
/*
 * What anyone can check without trusting us (docs/VERIFY.md): signed
 * checkpoints of a campaign's Merkle tree, inclusion and consistency proofs
 * at any size it has had, and its C2SP tlog-tiles. All are read from the
 * stored tiles (core/merkle.h); nothing is rebuilt per request.
 */
#include "core/buf.h"
#include "core/checkpoint.h"
#include "core/fault.h"
#include "core/merkle.h"

#include <stdint.h>

struct app;

/* The signed checkpoint of the campaign's tree now: a malloc'd note, or
 * NULL with FAULT_NOT_FOUND, FAULT_KEY_RETIRED, FAULT_UNAVAILABLE... */
char *proofs_checkpoint(struct app *a, const char *campaign_id,
                        struct fault *f);

struct proof {
    int64_t size;       /* the tree size the proof is for */
    int64_t first;      /* the leaf index, or the consistency's first size */
    merkle_hash leaf;   /* inclusion: the leaf's hash */
    merkle_hash root;   /* the root at size */
    merkle_hash first_root; /* consistency: the root at first */
    merkle_hash path[MERKLE_PROOF_MAX];
    size_t n;
};

/* The inclusion proof of entry seq in the tree of size leaves (0: the
 * current size). FAULT_INVALID naming "seq" or "size" when out of range. */
int proofs_inclusion(struct proof *out, struct app *a,
                     const char *campaign_id, int64_t seq, int64_t size,
                     struct fault *f) __attribute__((warn_unused_result));

/* The consistency proof from size from to size to (0: the current size). */
int proofs_consistency(struct proof *out, struct app *a,
                       const char *campaign_id, int64_t from, int64_t to,
                       struct fault *f) __attribute__((warn_unused_result));

/* A tile: width hashes of tile level `level` from tile index `index`
 * (width 256 for a full tile), or with entries the entry bundle (each
 * canonical entry after its big-endian uint16 length). FAULT_NOT_FOUND
 * when the tree has not grown that far yet. */
int proofs_tile(struct buf *out, struct app *a, const char *campaign_id,
                int level, bool entries, int64_t index, int64_t width,
                struct fault *f) __attribute__((warn_unused_result));

#endif
