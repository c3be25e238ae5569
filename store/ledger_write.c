/* Idempotency keys, and the one insert of a chained entry (money.c and
 * batch_write.c chain with ledger_next()). */
#include "store/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int store_idem_get(struct idem_record *out, struct store *s, const char *key,
                   struct fault *f)
{
    int rc = st_ensure(s, f);
    if (rc)
        return rc;
    const char *params[1] = {key};
    PGresult *r;
    rc = st_run(&r, s, PGRES_TUPLES_OK,
                "SELECT request_hash, status, resource, "
                    "coalesce(resource_id::text, resource_slug) "
                "FROM idempotency_keys WHERE key = $1",
                1, params, f);
    if (rc)
        return rc;
    rc = 0;
    if (PQntuples(r) == 1) {
        rc = st_unbytea(out->request_hash, PQgetvalue(r, 0, 0), f);
        out->status = (int)st_i64col(r, 0, 1);
        st_strcol(out->resource, sizeof out->resource, r, 0, 2);
        st_strcol(out->resource_id, sizeof out->resource_id, r, 0, 3);
        if (rc == 0)
            rc = 1;
    }
    PQclear(r);
    /* Found: the caller answers from it (a replay), so it must be as
     * durable as the first answer was (st_durable). */
    if (rc == 1) {
        int drc = st_durable(s, f);
        if (drc)
            rc = drc;
    }
    return rc;
}

int st_record_key(struct store *s, const struct idem *idem, int status,
                  const char *resource, const char *id, struct fault *f)
{
    if (idem == NULL)
        return 0;
    char hash[BYTEA32_HEX], st[I64_TEXT];
    st_bytea(hash, idem->request_hash);
    const char *params[5] = {idem->key, hash, st_i64text(st, status),
                             resource, id};
    PGresult *r;
    struct fault local = {0};
    /* A concurrent holder of the key makes this wait for it; if it
     * committed, nothing is inserted (ON CONFLICT: no error quoting the
     * key in Postgres's log) and the key is reported taken. */
    int rc = st_run(&r, s, PGRES_TUPLES_OK,
                    "INSERT INTO idempotency_keys (key, request_hash, "
                    "status, resource, resource_id, resource_slug) "
                    "VALUES ($1, $2, $3, $4, CASE WHEN $4 NOT IN ('campaign', "
                    "'token') THEN $5::text::uuid END, CASE WHEN $4 IN "
                    "('campaign', 'token') THEN $5 END) "
                    "ON CONFLICT (key) DO NOTHING RETURNING key",
                    5, params, &local);
    if (rc == 0 && PQntuples(r) == 0)
        rc = FAULT_CONFLICT;
    PQclear(r);
    return st_key_fault(rc, &local, f);
}

int st_key_fault(int rc, const struct fault *local, struct fault *f)
{
    if (rc == FAULT_CONFLICT)
        return fault_set(f, FAULT_RETRY, NULL,
                         "a concurrent request recorded a key first");
    return rc ? fault_set(f, rc, local->field, "%s", local->message) : 0;
}

static const char *or_null(const char *s) { return s[0] ? s : NULL; }

int st_insert_entry(struct store *s, const struct ledger_entry *e,
                    const struct totals *t, struct fault *f)
{
    char seq[I64_TEXT], amount[I64_TEXT], prev[BYTEA32_HEX], hash[BYTEA32_HEX],
        r1[I64_TEXT], r2[I64_TEXT], r3[I64_TEXT], leaf[BYTEA32_HEX];
    st_bytea(prev, e->prev_hash);
    st_bytea(hash, e->entry_hash);
    st_bytea(leaf, e->leaf_hash);
    const char *params[14] = {e->campaign_id,
                              st_i64text(seq, e->seq),
                              ledger_kind_name(e->kind),
                              e->pledge_id,
                              st_i64text(amount, e->amount_minor),
                              e->currency,
                              e->created_at,
                              prev,
                              hash,
                              or_null(e->provider),
                              or_null(e->reference),
                              or_null(e->method),
                              or_null(e->reason),
                              leaf};
    PGresult *r;
    int rc = st_run(&r, s, PGRES_COMMAND_OK,
                    "INSERT INTO ledger_entries (campaign_id, seq, kind, "
                    "pledge_id, amount_minor, currency, created_at, "
                    "created_ts, prev_hash, entry_hash, provider, reference, "
                    "method, reason, leaf_hash) VALUES ($1, $2, $3, $4, $5, "
                    "$6, $7::text, $7::text::timestamptz, $8, $9, $10, $11, "
                    "$12, $13, $14)",
                    14, params, f);
    if (rc)
        return rc;
    PQclear(r);
    struct st_nodes nodes;
    st_nodes_open(&nodes);
    st_nodes_add(&nodes, e);
    if ((rc = st_nodes_insert(s, &nodes, f)) != 0)
        return rc;
    struct buf tree;
    buf_init(&tree);
    st_frontier_text(&tree, t);
    const char *tparams[7] = {e->campaign_id,
                              seq,
                              st_i64text(r1, t->raised_minor),
                              st_i64text(r2, t->supporters),
                              hash,
                              st_i64text(r3, t->collected_minor),
                              tree.data};
    rc = buf_failed(&tree)
             ? fault_set(f, FAULT_NOMEM, NULL, "out of memory")
             : st_run(&r, s, PGRES_COMMAND_OK,
                      "UPDATE campaign_totals SET seq = $2, raised_minor = $3, "
                      "supporters = $4, head_hash = $5, collected_minor = $6, "
                      "tree_frontier = $7 WHERE campaign_id = $1",
                      7, tparams, f);
    buf_release(&tree);
    if (rc)
        return rc;
    PQclear(r);
    return 0;
}

