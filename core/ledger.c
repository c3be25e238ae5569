#include "core/ledger.h"

#include "core/buf.h"
#include "core/canon.h"
#include "core/money.h"

#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const kind_names[] = {
    [ENTRY_PLEDGE] = "pledge",
    [ENTRY_REFUND] = "refund",
    [ENTRY_VOID] = "void",
    [ENTRY_PAYMENT] = "payment",
    [ENTRY_PAYMENT_REVERSAL] = "payment_reversal",
};
#define NKINDS (sizeof kind_names / sizeof kind_names[0])

const char *ledger_kind_name(enum entry_kind kind)
{
    return (size_t)kind < NKINDS ? kind_names[kind] : "?";
}

int ledger_kind_parse(enum entry_kind *out, const char *text)
{
    for (size_t i = 0; i < NKINDS; i++)
        if (strcmp(text, kind_names[i]) == 0) {
            *out = (enum entry_kind)i;
            return 0;
        }
    return -1;
}

bool ledger_kind_collects(enum entry_kind kind)
{
    return kind == ENTRY_PAYMENT || kind == ENTRY_PAYMENT_REVERSAL;
}

/* How an entry of this kind moves supporters. */
static int supporter_step(enum entry_kind kind)
{
    return kind == ENTRY_PLEDGE ? 1
           : kind == ENTRY_REFUND || kind == ENTRY_VOID ? -1
                                                         : 0;
}

/* True if the amount's sign is the one its kind must have. */
static bool sign_ok(enum entry_kind kind, int64_t amount)
{
    switch (kind) {
    case ENTRY_PLEDGE: return amount >= 0;
    case ENTRY_PAYMENT: return amount > 0;
    case ENTRY_PAYMENT_REVERSAL: return amount < 0;
    default: return amount <= 0; /* refund, void */
    }
}

static int hash_entry(unsigned char chain[LEDGER_HASH_LEN],
                      unsigned char *leaf, const struct ledger_entry *e,
                      struct fault *f);

int ledger_next(struct ledger_entry *e, struct totals *t, int64_t now_us,
                struct fault *f)
{
    if (!sign_ok(e->kind, e->amount_minor))
        return fault_set(f, FAULT_INVALID, "amount_minor",
                         "a %s entry cannot have amount %lld",
                         ledger_kind_name(e->kind), (long long)e->amount_minor);
    if (t->tree.size != t->seq)
        return fault_set(f, FAULT_INTERNAL, NULL,
                         "the tree has %lld leaves at seq %lld",
                         (long long)t->tree.size, (long long)t->seq);
    bool collects = ledger_kind_collects(e->kind);
    int64_t total = collects ? t->collected_minor : t->raised_minor;
    int rc = money_total_add(&total, e->amount_minor, f);
    if (rc)
        return rc;
    e->seq = t->seq + 1;
    clock_format(e->created_at, now_us);
    memcpy(e->prev_hash, t->head_hash, LEDGER_HASH_LEN);
    if ((rc = hash_entry(e->entry_hash, e->leaf_hash, e, f)) != 0)
        return rc;
    t->seq = e->seq;
    *(collects ? &t->collected_minor : &t->raised_minor) = total;
    t->supporters += supporter_step(e->kind);
    memcpy(t->head_hash, e->entry_hash, LEDGER_HASH_LEN);
    e->nnodes = merkle_push(&t->tree, e->leaf_hash, e->nodes);
    return 0;
}

/* Writes canonical(e) to b: the bytes both the chain and the tree hash. */
static int canon_entry(struct buf *b, const struct ledger_entry *e,
                       struct fault *f)
{
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I}",
                          "amount_minor", (json_int_t)e->amount_minor,
                          "campaign_id", e->campaign_id,
                          "created_at", e->created_at,
                          "currency", e->currency,
                          "kind", ledger_kind_name(e->kind),
                          "pledge_id", e->pledge_id,
                          "seq", (json_int_t)e->seq);
    /* Only the payment kinds carry these: older kinds hash as they did. */
    if (o && ledger_kind_collects(e->kind)) {
        json_object_set_new(o, "provider", json_string(e->provider));
        json_object_set_new(o, "reference", json_string(e->reference));
        json_object_set_new(o, "method", json_string(e->method));
        if (e->kind == ENTRY_PAYMENT_REVERSAL)
            json_object_set_new(o, "reason", json_string(e->reason));
        if (json_object_size(o) !=
            (e->kind == ENTRY_PAYMENT_REVERSAL ? 11u : 10u)) {
            json_decref(o);
            o = NULL;
        }
    }
    if (o == NULL)
        return fault_set(f, FAULT_INVALID, NULL, "entry has invalid text");
    int rc = canon_write(b, o, f);
    json_decref(o);
    return rc;
}

/* The chain hash and (unless leaf is NULL) the Merkle leaf hash of e. */
static int hash_entry(unsigned char chain[LEDGER_HASH_LEN],
                      unsigned char *leaf, const struct ledger_entry *e,
                      struct fault *f)
{
    struct buf b;
    buf_init(&b);
    buf_append(&b, e->prev_hash, LEDGER_HASH_LEN);
    int rc = canon_entry(&b, e, f);
    if (rc == 0) {
        crypto_generichash(chain, LEDGER_HASH_LEN,
                           (const unsigned char *)b.data, b.len, NULL, 0);
        if (leaf)
            merkle_leaf(leaf, b.data + LEDGER_HASH_LEN,
                        b.len - LEDGER_HASH_LEN);
    }
    buf_release(&b);
    return rc;
}

int ledger_hash(unsigned char out[LEDGER_HASH_LEN],
                const struct ledger_entry *e, struct fault *f)
{
    return hash_entry(out, NULL, e, f);
}

int ledger_leaf(unsigned char out[MERKLE_HASH_LEN],
                const struct ledger_entry *e, struct fault *f)
{
    unsigned char chain[LEDGER_HASH_LEN];
    return hash_entry(chain, out, e, f);
}

int ledger_canon(struct buf *out, const struct ledger_entry *e,
                 struct fault *f)
{
    return canon_entry(out, e, f);
}

__attribute__((format(printf, 2, 3))) static void
problem(struct ledger_check *c, const char *fmt, ...)
{
    if (c->nproblems < LEDGER_PROBLEMS_MAX) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->problems[c->nproblems], sizeof c->problems[0], fmt, ap);
        va_end(ap);
    }
    c->nproblems++;
}

void ledger_check_init(struct ledger_check *c, const char *campaign_id)
{
    memset(c, 0, sizeof *c);
    snprintf(c->campaign_id, sizeof c->campaign_id, "%s", campaign_id);
}

void ledger_check_add(struct ledger_check *c, const struct ledger_entry *e)
{
    int64_t want = c->entries + 1;
    if (strcmp(e->campaign_id, c->campaign_id) != 0)
        problem(c, "seq %lld: belongs to campaign %s", (long long)e->seq,
                e->campaign_id);
    if (e->seq != want)
        problem(c, "seq %lld: expected seq %lld (gap or reorder)",
                (long long)e->seq, (long long)want);
    if (sodium_memcmp(e->prev_hash, c->head_hash, LEDGER_HASH_LEN) != 0)
        problem(c, "seq %lld: prev_hash does not match the previous entry",
                (long long)e->seq);
    unsigned char h[LEDGER_HASH_LEN];
    merkle_hash leaf;
    struct fault f = {0};
    bool content_ok = false;
    /* One canonicalisation gives both the chain hash and the leaf. */
    if (hash_entry(h, leaf, e, &f) != 0)
        problem(c, "seq %lld: cannot hash: %s", (long long)e->seq, f.message);
    else if (sodium_memcmp(h, e->entry_hash, LEDGER_HASH_LEN) != 0)
        problem(c, "seq %lld: entry_hash does not match its content",
                (long long)e->seq);
    /* Content that fails its entry_hash fails its leaf too: named once. */
    else
        content_ok = true;
    if (content_ok &&
        sodium_memcmp(leaf, e->leaf_hash, MERKLE_HASH_LEN) != 0)
        problem(c, "seq %lld: leaf_hash does not match its content",
                (long long)e->seq);
    /* The tree is rebuilt from the leaves as stored when the content itself
     * was altered (already named above), so that one tampering is named
     * once. */
    struct merkle_tile_node nodes[MERKLE_TILE_LEVELS];
    size_t made =
        merkle_push(&c->tree, content_ok ? leaf : e->leaf_hash, nodes);
    for (size_t i = 0; i < made; i++)
        ledger_nodes_fold(c->nodes_digest, &nodes[i]);
    c->nodes += (int64_t)made;
    if (!sign_ok(e->kind, e->amount_minor))
        problem(c, "seq %lld: %s with amount %lld", (long long)e->seq,
                ledger_kind_name(e->kind), (long long)e->amount_minor);
    int64_t *total = ledger_kind_collects(e->kind) ? &c->collected_minor
                                                  : &c->raised_minor;
    if (money_add(total, *total, e->amount_minor) != 0)
        problem(c, "seq %lld: total overflows", (long long)e->seq);
    if (*total < 0)
        problem(c, "seq %lld: %s below zero", (long long)e->seq,
                ledger_kind_collects(e->kind) ? "collected" : "raised");
    c->supporters += supporter_step(e->kind);
    /* Continue from the stored hash so one bad entry is reported once. */
    memcpy(c->head_hash, e->entry_hash, LEDGER_HASH_LEN);
    c->entries = want;
}

void ledger_check_totals(struct ledger_check *c, const struct totals *t)
{
    if (t->seq != c->entries)
        problem(c, "totals: seq %lld but the ledger has %lld entries",
                (long long)t->seq, (long long)c->entries);
    if (t->raised_minor != c->raised_minor)
        problem(c, "totals: raised_minor %lld but the ledger sums to %lld",
                (long long)t->raised_minor, (long long)c->raised_minor);
    if (t->collected_minor != c->collected_minor)
        problem(c, "totals: collected_minor %lld but the ledger sums to %lld",
                (long long)t->collected_minor, (long long)c->collected_minor);
    if (t->supporters != c->supporters)
        problem(c, "totals: supporters %lld but the ledger counts %lld",
                (long long)t->supporters, (long long)c->supporters);
    if (sodium_memcmp(t->head_hash, c->head_hash, LEDGER_HASH_LEN) != 0)
        problem(c, "totals: head hash differs from the last entry's");
    merkle_hash want, got;
    merkle_root(want, &c->tree);
    merkle_root(got, &t->tree);
    if (t->tree.size != c->tree.size ||
        sodium_memcmp(want, got, MERKLE_HASH_LEN) != 0)
        problem(c, "totals: the Merkle tree (size %lld) differs from the "
                   "one its entries make (size %lld)",
                (long long)t->tree.size, (long long)c->tree.size);
}

void ledger_nodes_fold(unsigned char digest[LEDGER_HASH_LEN],
                       const struct merkle_tile_node *n)
{
    crypto_generichash_state st;
    unsigned char pos[9];
    pos[0] = (unsigned char)n->level;
    for (int i = 0; i < 8; i++)
        pos[1 + i] = (unsigned char)((uint64_t)n->index >> (56 - 8 * i));
    crypto_generichash_init(&st, NULL, 0, LEDGER_HASH_LEN);
    crypto_generichash_update(&st, digest, LEDGER_HASH_LEN);
    crypto_generichash_update(&st, pos, sizeof pos);
    crypto_generichash_update(&st, n->hash, MERKLE_HASH_LEN);
    crypto_generichash_final(&st, digest, LEDGER_HASH_LEN);
}

void ledger_check_nodes(struct ledger_check *c,
                        const unsigned char digest[LEDGER_HASH_LEN],
                        int64_t count)
{
    if (count != c->nodes ||
        sodium_memcmp(digest, c->nodes_digest, LEDGER_HASH_LEN) != 0)
        problem(c, "tiles: the %lld stored tile nodes differ from the %lld "
                   "its entries make",
                (long long)count, (long long)c->nodes);
}
