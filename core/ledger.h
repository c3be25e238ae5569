#ifndef PLEDGED_LEDGER_H
#define PLEDGED_LEDGER_H
/*
 * The ledger's entries and their hash chain.
 *
 * Each campaign has its own chain, seq = 1, 2, 3, ... without gaps:
 *   entry_hash = BLAKE2b-256(prev_hash || canonical(entry))
 * where entry is {amount_minor, campaign_id, created_at, currency, kind,
 * pledge_id, seq} and prev_hash of seq 1 is 32 zero bytes. created_at is the
 * exact RFC 3339 string that was hashed. The payment kinds add their own
 * fields to the object: a payment {method, provider, reference}, a
 * payment_reversal those and {reason}; the others hash exactly as they
 * always did, so old chains still verify.
 *
 * Each kind moves exactly one total by its signed amount (anyone can
 * recompute both from an export by kind alone):
 *   pledge            +raised     a promise (amount >= 0)
 *   refund            -raised     a promise refunded (amount <= 0)
 *   void              -raised     a promise withdrawn unpaid (amount <= 0)
 *   payment           +collected  money received (amount > 0)
 *   payment_reversal  -collected  money given back, refund or dispute (< 0)
 * supporters counts pledges less refunds and voids.
 *
 * struct ledger_check walks a chain in seq order and recomputes everything:
 * it is the one verifier behind tests, `pledged audit` and the audit
 * endpoint.
 */
#include "core/campaign.h"
#include "core/clock.h"
#include "core/fault.h"
#include "core/merkle.h"
#include "core/uuid.h"

#include <stdbool.h>
#include <stdint.h>

#define LEDGER_HASH_LEN 32

enum entry_kind {
    ENTRY_PLEDGE,
    ENTRY_REFUND,
    ENTRY_VOID,
    ENTRY_PAYMENT,
    ENTRY_PAYMENT_REVERSAL,
};

#define LEDGER_REF_MAX 100  /* a provider's reference, printable ASCII */
#define LEDGER_WORD_MAX 15  /* provider, method, reason: [a-z_] */

/* True for the kinds that move collected_minor (else raised_minor). */
bool ledger_kind_collects(enum entry_kind kind);

struct ledger_entry {
    char campaign_id[CAMPAIGN_ID_MAX + 1];
    int64_t seq;
    enum entry_kind kind;
    char pledge_id[UUID_STR_LEN];
    int64_t amount_minor; /* negative for a refund, void or reversal */
    char currency[4];
    /* Payment kinds only ("" otherwise): who moved the money, their id for
     * it, how it was paid, and for a reversal why (refund, dispute). */
    char provider[LEDGER_WORD_MAX + 1];
    char reference[LEDGER_REF_MAX + 1];
    char method[LEDGER_WORD_MAX + 1];
    char reason[LEDGER_WORD_MAX + 1];
    char created_at[CLOCK_RFC3339_LEN];
    unsigned char prev_hash[LEDGER_HASH_LEN];
    unsigned char entry_hash[LEDGER_HASH_LEN];
    /* Its leaf in the campaign's Merkle tree: SHA-256(0x00 || canonical),
     * over the same canonical bytes the chain hashes. */
    merkle_hash leaf_hash;
    /* Set by ledger_next: the tile nodes this entry completes, to store
     * with it (core/merkle.h). */
    struct merkle_tile_node nodes[MERKLE_TILE_LEVELS];
    size_t nnodes;
};

const char *ledger_kind_name(enum entry_kind kind);

/* The kind named by text ("pledge" or "refund"): 0, or -1. */
int ledger_kind_parse(enum entry_kind *out, const char *text);

/* The one place an entry joins a chain (single and batched writes alike).
 * e has campaign, kind, pledge id, amount and currency set; it gets seq,
 * created_at (now_us), prev_hash, entry_hash, leaf_hash and nodes as the
 * entry after head t, and t moves past it (seq, raised_minor, supporters,
 * head_hash, tree). 0, or
 * FAULT_OVERFLOW naming "amount_minor" (then t is unchanged), or a hash
 * fault. */
int ledger_next(struct ledger_entry *e, struct totals *t, int64_t now_us,
                struct fault *f) __attribute__((warn_unused_result));

/* Computes out = BLAKE2b-256(e->prev_hash || canonical(e)); e->entry_hash
 * is neither read nor written. 0, or FAULT_INVALID / FAULT_NOMEM. */
int ledger_hash(unsigned char out[LEDGER_HASH_LEN],
                const struct ledger_entry *e, struct fault *f)
    __attribute__((warn_unused_result));

/* The Merkle leaf hash of e (core/merkle.h); e->leaf_hash is not read. */
int ledger_leaf(unsigned char out[MERKLE_HASH_LEN],
                const struct ledger_entry *e, struct fault *f)
    __attribute__((warn_unused_result));

struct buf;
/* Appends canonical(e), the bytes of its leaf, to out. */
int ledger_canon(struct buf *out, const struct ledger_entry *e,
                 struct fault *f) __attribute__((warn_unused_result));

#define LEDGER_PROBLEMS_MAX 20

struct ledger_check {
    char campaign_id[CAMPAIGN_ID_MAX + 1];
    int64_t entries;
    int64_t raised_minor;
    int64_t collected_minor;
    int64_t supporters; /* pledge entries minus refund and void entries */
    unsigned char head_hash[LEDGER_HASH_LEN];
    struct merkle_frontier tree; /* rebuilt from the entries' content */
    unsigned char nodes_digest[LEDGER_HASH_LEN]; /* of the tile nodes it */
    int64_t nodes;                               /* made, in order */
    size_t nproblems;    /* problems found, may exceed what is kept */
    char problems[LEDGER_PROBLEMS_MAX][160];
};

void ledger_check_init(struct ledger_check *c, const char *campaign_id);

/* Feeds the next entry (in seq order). Problems are recorded, not returned:
 * the walk goes on so that the report lists all of them. */
void ledger_check_add(struct ledger_check *c, const struct ledger_entry *e);

/* Compares the walk's sums with stored totals, recording any difference. */
void ledger_check_totals(struct ledger_check *c, const struct totals *t);

/* Folds tile node n into digest (BLAKE2b-256 of the digest so far, the
 * level, the index and the hash): over the nodes in the order appends make
 * them, a digest of them all, so the stored and the rebuilt nodes compare
 * in constant memory. */
void ledger_nodes_fold(unsigned char digest[LEDGER_HASH_LEN],
                       const struct merkle_tile_node *n);

/* Compares the walk's tile nodes with the stored ones, folded in the same
 * order, recording any difference. */
void ledger_check_nodes(struct ledger_check *c,
                        const unsigned char digest[LEDGER_HASH_LEN],
                        int64_t count);

static inline bool ledger_check_ok(const struct ledger_check *c)
{
    return c->nproblems == 0;
}

#endif
