/* The Merkle tree's rows: the frontier in campaign_totals, the tile nodes
 * in merkle_nodes, the leaves beside the entries (sql/009_merkle.sql), and
 * the reads that proofs and tiles are built from. */
#include "store/internal.h"

#include "core/hex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int st_read_frontier(struct totals *t, const char *text, struct fault *f)
{
    size_t n = strlen(text);
    unsigned char bytes[MERKLE_DEPTH_MAX * MERKLE_HASH_LEN];
    if (n < 2 || text[0] != '\\' || text[1] != 'x' || (n - 2) % 2 != 0 ||
        (n - 2) / 2 > sizeof bytes ||
        hex_decode(bytes, (n - 2) / 2, text + 2) != 0)
        return fault_set(f, FAULT_TAMPERED, NULL, "bad tree frontier");
    return merkle_frontier_load(&t->tree, t->seq, bytes, (n - 2) / 2, f);
}

void st_frontier_text(struct buf *b, const struct totals *t)
{
    buf_puts(b, "\\x");
    buf_hex(b, &t->tree.h[0][0],
            merkle_frontier_count(t->tree.size) * MERKLE_HASH_LEN);
}

void st_nodes_open(struct st_nodes *n)
{
    struct buf *all[4] = {&n->campaign, &n->level, &n->idx, &n->hash};
    for (int k = 0; k < 4; k++) {
        buf_init(all[k]);
        st_arr_open(all[k]);
    }
    n->count = 0;
}

void st_nodes_add(struct st_nodes *n, const struct ledger_entry *e)
{
    for (size_t i = 0; i < e->nnodes; i++) {
        st_arr_text(&n->campaign, e->campaign_id);
        st_arr_i64(&n->level, e->nodes[i].level);
        st_arr_i64(&n->idx, e->nodes[i].index);
        st_arr_bytea(&n->hash, e->nodes[i].hash);
        n->count++;
    }
}

int st_nodes_insert(struct store *s, struct st_nodes *n, struct fault *f)
{
    struct buf *all[4] = {&n->campaign, &n->level, &n->idx, &n->hash};
    int rc = 0;
    for (int k = 0; k < 4; k++) {
        st_arr_close(all[k]);
        if (buf_failed(all[k]))
            rc = fault_set(f, FAULT_NOMEM, NULL, "out of memory");
    }
    if (rc == 0 && n->count > 0) {
        const char *params[4] = {n->campaign.data, n->level.data,
                                 n->idx.data, n->hash.data};
        PGresult *r;
        rc = st_run(&r, s, PGRES_COMMAND_OK,
                    "INSERT INTO merkle_nodes (campaign_id, level, idx, hash) "
                    "SELECT * FROM unnest($1::text[], $2::smallint[], "
                    "$3::bigint[], $4::bytea[])",
                    4, params, f);
        PQclear(r);
    }
    for (int k = 0; k < 4; k++)
        buf_release(all[k]);
    return rc;
}

int store_merkle_read(struct store *s, const char *campaign_id, int level,
                      int64_t first, int64_t count, merkle_hash *out,
                      struct fault *f)
{
    int rc = st_ensure(s, f);
    if (rc)
        return rc;
    char a[I64_TEXT], b[I64_TEXT], l[I64_TEXT];
    const char *params[4] = {campaign_id, st_i64text(a, first),
                             st_i64text(b, first + count),
                             st_i64text(l, level)};
    PGresult *r;
    /* Leaf i is entry seq i + 1. */
    rc = level == 0
             ? st_run(&r, s, PGRES_TUPLES_OK,
                      "SELECT leaf_hash FROM ledger_entries WHERE "
                      "campaign_id = $1 AND seq > $2 AND seq <= $3 "
                      "ORDER BY seq",
                      3, params, f)
             : st_run(&r, s, PGRES_TUPLES_OK,
                      "SELECT hash FROM merkle_nodes WHERE campaign_id = $1 "
                      "AND level = $4 AND idx >= $2 AND idx < $3 ORDER BY idx",
                      4, params, f);
    if (rc)
        return rc;
    if (PQntuples(r) != count)
        rc = fault_set(f, FAULT_TAMPERED, NULL,
                       "tile level %d has %d of %lld hashes from %lld", level,
                       PQntuples(r), (long long)count, (long long)first);
    for (int i = 0; rc == 0 && i < PQntuples(r); i++)
        rc = st_unbytea(out[i], PQgetvalue(r, i, 0), f);
    PQclear(r);
    return rc;
}

int store_entries_range(struct store *s, const char *campaign_id,
                        int64_t first_seq, int64_t count,
                        int (*fn)(void *ctx, const struct ledger_entry *e),
                        void *ctx, struct fault *f)
{
    int rc = st_ensure(s, f);
    if (rc)
        return rc;
    char a[I64_TEXT], b[I64_TEXT];
    const char *params[3] = {campaign_id, st_i64text(a, first_seq),
                             st_i64text(b, first_seq + count)};
    PGresult *r;
    rc = st_run(&r, s, PGRES_TUPLES_OK,
                "SELECT " ENTRY_COLUMNS " FROM ledger_entries e WHERE "
                "e.campaign_id = $1 AND e.seq >= $2 AND e.seq < $3 "
                "ORDER BY e.seq",
                3, params, f);
    if (rc)
        return rc;
    if (PQntuples(r) != count)
        rc = fault_set(f, FAULT_NOT_FOUND, NULL, "no entries %lld..%lld",
                       (long long)first_seq,
                       (long long)(first_seq + count - 1));
    for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
        struct ledger_entry e;
        if ((rc = st_read_entry(&e, r, i, 0, f)) == 0)
            rc = fn(ctx, &e);
    }
    PQclear(r);
    return rc;
}

int store_merkle_nodes_digest(unsigned char digest[32], int64_t *count,
                              struct store *s, const char *campaign_id,
                              int64_t size, struct fault *f)
{
    int rc = st_ensure(s, f);
    if (rc)
        return rc;
    char n[I64_TEXT];
    const char *params[2] = {campaign_id, st_i64text(n, size)};
    PGresult *r;
    /* In the order appends make them: by the size that completed each,
     * then by level (ledger_nodes_fold). */
    rc = st_run(&r, s, PGRES_TUPLES_OK,
                "SELECT level, idx, hash FROM merkle_nodes WHERE "
                "campaign_id = $1 AND (idx + 1)::numeric * "
                "power(256::numeric, level) <= $2 ORDER BY (idx + 1)::numeric "
                "* power(256::numeric, level), level",
                2, params, f);
    if (rc)
        return rc;
    memset(digest, 0, 32);
    *count = PQntuples(r);
    for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
        struct merkle_tile_node node = {.level = (int)st_i64col(r, i, 0),
                                        .index = st_i64col(r, i, 1)};
        if ((rc = st_unbytea(node.hash, PQgetvalue(r, i, 2), f)) == 0)
            ledger_nodes_fold(digest, &node);
    }
    PQclear(r);
    return rc;
}

/* ---- the C step of 009_merkle.sql: trees for the entries before it ---- */

#define BACKFILL_CHUNK 5000

/* Leaves, nodes and frontier for one campaign, chunk by chunk. */
static int backfill_campaign(struct store *s, const char *id, struct fault *f)
{
    struct totals t;
    memset(&t, 0, sizeof t);
    for (int64_t from = 1;; from += BACKFILL_CHUNK) {
        char a[I64_TEXT], b[I64_TEXT];
        const char *params[3] = {id, st_i64text(a, from),
                                 st_i64text(b, from + BACKFILL_CHUNK)};
        PGresult *r;
        int rc = st_run(&r, s, PGRES_TUPLES_OK,
                        "SELECT " ENTRY_COLUMNS " FROM ledger_entries e "
                        "WHERE e.campaign_id = $1 AND e.seq >= $2 AND "
                        "e.seq < $3 ORDER BY e.seq",
                        3, params, f);
        if (rc)
            return rc;
        int n = PQntuples(r);
        struct buf seqs, leaves;
        struct st_nodes nodes;
        buf_init(&seqs);
        buf_init(&leaves);
        st_arr_open(&seqs);
        st_arr_open(&leaves);
        st_nodes_open(&nodes);
        for (int i = 0; rc == 0 && i < n; i++) {
            struct ledger_entry e;
            if ((rc = st_read_entry(&e, r, i, 0, f)) != 0 ||
                (rc = ledger_leaf(e.leaf_hash, &e, f)) != 0)
                break;
            if (e.seq != t.seq + 1) {
                rc = fault_set(f, FAULT_TAMPERED, NULL,
                               "campaign %s: seq %lld after %lld", id,
                               (long long)e.seq, (long long)t.seq);
                break;
            }
            t.seq = e.seq;
            e.nnodes = merkle_push(&t.tree, e.leaf_hash, e.nodes);
            st_arr_i64(&seqs, e.seq);
            st_arr_bytea(&leaves, e.leaf_hash);
            st_nodes_add(&nodes, &e);
        }
        PQclear(r);
        st_arr_close(&seqs);
        st_arr_close(&leaves);
        if (rc == 0 && (buf_failed(&seqs) || buf_failed(&leaves)))
            rc = fault_set(f, FAULT_NOMEM, NULL, "out of memory");
        if (rc == 0 && n > 0) {
            const char *up[3] = {id, seqs.data, leaves.data};
            rc = st_run(&r, s, PGRES_COMMAND_OK,
                        "UPDATE ledger_entries e SET leaf_hash = u.h FROM "
                        "unnest($2::bigint[], $3::bytea[]) AS u(q, h) "
                        "WHERE e.campaign_id = $1 AND e.seq = u.q",
                        3, up, f);
            PQclear(r);
        }
        buf_release(&seqs);
        buf_release(&leaves);
        int nrc = st_nodes_insert(s, &nodes, f);
        if (rc == 0)
            rc = nrc;
        if (rc)
            return rc;
        if (n < BACKFILL_CHUNK)
            break;
    }
    struct buf tree;
    buf_init(&tree);
    st_frontier_text(&tree, &t);
    char q[I64_TEXT];
    const char *params[3] = {id, tree.data, st_i64text(q, t.seq)};
    PGresult *r;
    int rc = st_run(&r, s, PGRES_TUPLES_OK,
                    "UPDATE campaign_totals SET tree_frontier = $2 "
                    "WHERE campaign_id = $1 AND seq = $3 RETURNING seq",
                    3, params, f);
    if (rc == 0 && PQntuples(r) != 1)
        rc = fault_set(f, FAULT_TAMPERED, NULL,
                       "campaign %s: totals seq is not its %lld entries", id,
                       (long long)t.seq);
    PQclear(r);
    buf_release(&tree);
    return rc;
}

static int merkle_backfill(struct store *s, struct fault *f)
{
    PGresult *r;
    int rc = st_exec(s,
                     "ALTER TABLE ledger_entries DISABLE TRIGGER "
                     "ledger_entries_append_only",
                     f);
    if (rc == 0)
        rc = st_run(&r, s, PGRES_TUPLES_OK,
                    "SELECT id FROM campaigns ORDER BY id", 0, NULL, f);
    if (rc)
        return rc;
    for (int i = 0; rc == 0 && i < PQntuples(r); i++)
        rc = backfill_campaign(s, PQgetvalue(r, i, 0), f);
    PQclear(r);
    /* Leaves are filled once; the ledger is append-only again. */
    if (rc == 0)
        rc = st_exec(s,
                     "ALTER TABLE ledger_entries ENABLE TRIGGER "
                     "ledger_entries_append_only; "
                     "ALTER TABLE ledger_entries ALTER COLUMN leaf_hash "
                     "SET NOT NULL",
                     f);
    return rc;
}

st_migration_step *st_migration_step_of(const char *name)
{
    return strcmp(name, "009_merkle.sql") == 0 ? merkle_backfill : NULL;
}
