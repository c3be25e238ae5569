/* Single ledger writes (a refund's reversal) and idempotency keys. The
 * batched pledge write is batch_write.c; both chain with ledger_next(). */
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
                    "VALUES ($1, $2, $3, $4, CASE WHEN $4 <> 'campaign' "
                    "THEN $5::text::uuid END, CASE WHEN $4 = 'campaign' "
                    "THEN $5 END) ON CONFLICT (key) DO NOTHING RETURNING key",
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

/* Chains entry e (campaign, kind, pledge id, amount and currency set)
 * after head t, inserts it and moves the stored totals. */
static int append_entry(struct ledger_entry *e, struct store *s,
                        struct totals *t, struct fault *f)
{
    int rc = ledger_next(e, t, clock_now_us(), f);
    if (rc)
        return rc;
    char seq[I64_TEXT], amount[I64_TEXT], prev[BYTEA32_HEX], hash[BYTEA32_HEX],
        r1[I64_TEXT], r2[I64_TEXT];
    st_bytea(prev, e->prev_hash);
    st_bytea(hash, e->entry_hash);
    const char *params[9] = {e->campaign_id,
                             st_i64text(seq, e->seq),
                             ledger_kind_name(e->kind),
                             e->pledge_id,
                             st_i64text(amount, e->amount_minor),
                             e->currency,
                             e->created_at,
                             prev,
                             hash};
    PGresult *r;
    rc = st_run(&r, s, PGRES_COMMAND_OK,
                "INSERT INTO ledger_entries (campaign_id, seq, kind, "
                "pledge_id, amount_minor, currency, created_at, created_ts, "
                "prev_hash, entry_hash) VALUES ($1, $2, $3, $4, $5, $6, "
                "$7::text, $7::text::timestamptz, $8, $9)",
                9, params, f);
    if (rc)
        return rc;
    PQclear(r);
    const char *tparams[5] = {e->campaign_id, seq,
                              st_i64text(r1, t->raised_minor),
                              st_i64text(r2, t->supporters), hash};
    rc = st_run(&r, s, PGRES_COMMAND_OK,
                "UPDATE campaign_totals SET seq = $2, raised_minor = $3, "
                "supporters = $4, head_hash = $5 WHERE campaign_id = $1",
                5, tparams, f);
    if (rc)
        return rc;
    PQclear(r);
    return 0;
}

int store_refund_append(struct refund *rf, struct store *s,
                        const char *pledge_id, const struct idem *idem,
                        const struct admin_action *log, struct fault *f)
{
    int rc = st_ensure(s, f);
    if (rc)
        return rc;
    struct pledge *p = malloc(sizeof *p);
    struct totals h;
    struct ledger_entry e;
    memset(&e, 0, sizeof e);
    PGresult *r = NULL;
    if (p == NULL)
        return fault_set(f, FAULT_NOMEM, NULL, "out of memory");
    if ((rc = store_pledge_get(p, s, pledge_id, f)) != 0)
        goto done;
    if ((rc = st_exec(s, "BEGIN", f)) != 0 ||
        (rc = st_lock_head(&h, s, p->campaign_id, f)) != 0)
        goto done;
    const char *params[1] = {pledge_id};
    rc = st_run(&r, s, PGRES_TUPLES_OK,
                "SELECT 1 FROM refunds WHERE pledge_id = $1", 1, params, f);
    if (rc)
        goto done;
    if (PQntuples(r) > 0) {
        rc = fault_set(f, FAULT_CONFLICT, NULL, "pledge %s is already refunded",
                       pledge_id);
        goto done;
    }
    PQclear(r);
    r = NULL;
    if ((rc = st_record_key(s, idem, 201, "refund", rf->id, f)) != 0)
        goto done;
    snprintf(e.campaign_id, sizeof e.campaign_id, "%s", p->campaign_id);
    e.kind = ENTRY_REFUND;
    memcpy(e.pledge_id, p->id, sizeof e.pledge_id);
    e.amount_minor = -p->amount_minor;
    memcpy(e.currency, p->currency, sizeof e.currency);
    if ((rc = append_entry(&e, s, &h, f)) != 0)
        goto done;
    char seq[I64_TEXT];
    const char *rparams[5] = {rf->id, p->id, p->campaign_id,
                              st_i64text(seq, e.seq), e.created_at};
    rc = st_run(
        &r, s, PGRES_TUPLES_OK,
        "WITH i AS (INSERT INTO refunds (id, pledge_id, campaign_id, seq, "
        "created_at) VALUES ($1, $2, $3, $4, $5)) "
        "SELECT pg_notify('" ST_TOTALS_CHANNEL "', $3)",
        5, rparams, f);
    if (rc || (rc = st_log(s, log, f)) != 0)
        goto done;
    if ((rc = st_commit(s, f)) != 0)
        goto done;
    memcpy(rf->pledge_id, p->id, sizeof rf->pledge_id);
    memcpy(rf->campaign_id, p->campaign_id, sizeof rf->campaign_id);
    rf->amount_minor = e.amount_minor;
    memcpy(rf->currency, e.currency, sizeof rf->currency);
    rf->seq = e.seq;
    memcpy(rf->created_at, e.created_at, sizeof rf->created_at);
    memcpy(rf->entry_hash, e.entry_hash, sizeof rf->entry_hash);
done:
    PQclear(r);
    st_rollback(s);
    free(p);
    return rc;
}
