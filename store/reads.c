/* Reads: pledges, refunds, the ledger walked in order, pages for staff,
 * and the one decoder of ledger rows. */
#include "store/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int st_read_pledge(struct pledge *p, PGresult *r, int row, struct fault *f)
{
    memset(p, 0, sizeof *p);
    st_strcol(p->id, sizeof p->id, r, row, 0);
    st_strcol(p->campaign_id, sizeof p->campaign_id, r, row, 1);
    p->amount_minor = st_i64col(r, row, 2);
    st_strcol(p->currency, sizeof p->currency, r, row, 3);
    p->kind = strcmp(PQgetvalue(r, row, 4), "tier") == 0 ? PLEDGE_TIER
                                                         : PLEDGE_CUSTOM;
    st_strcol(p->donor_name, sizeof p->donor_name, r, row, 5);
    st_strcol(p->donor_email, sizeof p->donor_email, r, row, 6);
    p->anonymous = PQgetvalue(r, row, 7)[0] == 't';
    st_strcol(p->message, sizeof p->message, r, row, 8);
    p->seq = st_i64col(r, row, 9);
    st_strcol(p->created_at, sizeof p->created_at, r, row, 10);
    memset(&p->source, 0, sizeof p->source); /* not read here */
    return st_unbytea(p->entry_hash, PQgetvalue(r, row, 11), f);
}

int store_pledge_get(struct pledge *p, struct store *s, const char *id,
                     struct fault *f)
{
    if (!uuid_valid(id))
        return fault_set(f, FAULT_NOT_FOUND, NULL, "no pledge %s", id);
    PGresult *r;
    int rc =
        st_run_one(&r, s,
                   "SELECT " PLEDGE_COLUMNS " FROM pledges p "
                   "JOIN ledger_entries e ON e.campaign_id = p.campaign_id "
                   "AND e.seq = p.seq WHERE p.id = $1",
                   id, "pledge", f);
    if (rc == 0)
        rc = st_read_pledge(p, r, 0, f);
    PQclear(r);
    return rc;
}

int store_refund_get(struct refund *rf, struct store *s, const char *id,
                     struct fault *f)
{
    if (!uuid_valid(id))
        return fault_set(f, FAULT_NOT_FOUND, NULL, "no refund %s", id);
    PGresult *r;
    int rc = st_run_one(&r, s,
                        "SELECT r.id, r.pledge_id, r.campaign_id, "
                        "e.amount_minor, e.currency, r.seq, r.created_at, "
                        "e.entry_hash FROM refunds r JOIN ledger_entries e ON "
                        "e.campaign_id = r.campaign_id AND e.seq = r.seq "
                        "WHERE r.id = $1",
                        id, "refund", f);
    if (rc == 0) {
        memset(rf, 0, sizeof *rf);
        st_strcol(rf->id, sizeof rf->id, r, 0, 0);
        st_strcol(rf->pledge_id, sizeof rf->pledge_id, r, 0, 1);
        st_strcol(rf->campaign_id, sizeof rf->campaign_id, r, 0, 2);
        rf->amount_minor = st_i64col(r, 0, 3);
        st_strcol(rf->currency, sizeof rf->currency, r, 0, 4);
        rf->seq = st_i64col(r, 0, 5);
        st_strcol(rf->created_at, sizeof rf->created_at, r, 0, 6);
        rc = st_unbytea(rf->entry_hash, PQgetvalue(r, 0, 7), f);
    }
    PQclear(r);
    return rc;
}

int store_ledger_walk(struct totals *t, struct store *s,
                      const char *campaign_id,
                      int (*fn)(void *ctx, const struct ledger_entry *e),
                      void *ctx, struct fault *f)
{
    int rc = st_ensure(s, f);
    if (rc)
        return rc;
    const char *params[1] = {campaign_id};
    PGresult *r = NULL;
    /* One snapshot for the totals and the walk. */
    if ((rc = st_exec(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                      f)) != 0)
        goto done;
    rc = st_run(&r, s, PGRES_TUPLES_OK,
                "SELECT seq, raised_minor, supporters, head_hash, "
                "collected_minor, tree_frontier "
                "FROM campaign_totals WHERE campaign_id = $1",
                1, params, f);
    if (rc)
        goto done;
    if (PQntuples(r) == 0) {
        rc = fault_set(f, FAULT_NOT_FOUND, NULL, "no campaign %s", campaign_id);
        goto done;
    }
    if (t) {
        t->seq = st_i64col(r, 0, 0);
        t->raised_minor = st_i64col(r, 0, 1);
        t->supporters = st_i64col(r, 0, 2);
        t->collected_minor = st_i64col(r, 0, 4);
        if ((rc = st_unbytea(t->head_hash, PQgetvalue(r, 0, 3), f)) != 0 ||
            (rc = st_read_frontier(t, PQgetvalue(r, 0, 5), f)) != 0)
            goto done;
    }
    PQclear(r);
    r = NULL;
    if (!PQsendQueryParams(s->conn,
                           "SELECT " ENTRY_COLUMNS " FROM ledger_entries e "
                           "WHERE e.campaign_id = $1 ORDER BY e.seq",
                           1, NULL, params, NULL, NULL, 0) ||
        !PQsetSingleRowMode(s->conn)) {
        rc = fault_set(f, FAULT_UNAVAILABLE, NULL, "database unavailable");
        goto done;
    }
    /* After a stop or an error, the remaining results must be drained. */
    while ((r = PQgetResult(s->conn)) != NULL) {
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_SINGLE_TUPLE && rc == 0) {
            struct ledger_entry e;
            if ((rc = st_read_entry(&e, r, 0, 0, f)) == 0)
                rc = fn(ctx, &e);
        } else if (st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK &&
                   rc == 0) {
            rc = st_fail(s, r, f);
        }
        PQclear(r);
    }
    r = NULL;
    if (rc == 0)
        rc = st_commit(s, f);
done:
    PQclear(r);
    st_rollback(s);
    return rc;
}

int st_pledge_rows(PGresult *r, int (*fn)(void *ctx, const struct pledge_row *p),
                   void *ctx, struct fault *f)
{
    int rc = 0;
    struct pledge_row *row = malloc(sizeof *row);
    if (row == NULL)
        rc = fault_set(f, FAULT_NOMEM, NULL, "out of memory");
    for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
        if ((rc = st_read_pledge(&row->pledge, r, i, f)) != 0)
            break;
        row->refunded = PQgetvalue(r, i, 12)[0] == 't';
        struct pledge_money m = {.promised = row->pledge.amount_minor,
                                 .paid = st_i64col(r, i, 13),
                                 .voided = PQgetvalue(r, i, 14)[0] == 't',
                                 .refunded = row->refunded,
                                 .disputed = PQgetvalue(r, i, 15)[0] == 't'};
        row->paid_minor = m.paid;
        snprintf(row->status, sizeof row->status, "%s", payment_status(&m));
        st_strcol(row->moderation, sizeof row->moderation, r, i, 16);
        rc = fn(ctx, row);
    }
    free(row);
    return rc;
}

int store_pledges_page(struct store *s, const char *campaign_id, int64_t before,
                       int limit,
                       int (*fn)(void *ctx, const struct pledge_row *p),
                       void *ctx, struct fault *f)
{
    int rc = st_ensure(s, f);
    if (rc)
        return rc;
    char b[I64_TEXT], l[I64_TEXT];
    const char *params[3] = {campaign_id, st_i64text(b, before),
                             st_i64text(l, limit)};
    PGresult *r;
    if ((rc = st_run(&r, s, PGRES_TUPLES_OK,
                     PLEDGE_ROW_SELECT
                     "WHERE p.campaign_id = $1 AND ($2::bigint = 0 OR p.seq < $2) "
                     "ORDER BY p.seq DESC LIMIT $3",
                     3, params, f)) != 0)
        return rc;
    rc = st_pledge_rows(r, fn, ctx, f);
    PQclear(r);
    return rc;
}

int store_head_seq(int64_t *seq, struct store *s, const char *campaign_id,
                   struct fault *f)
{
    PGresult *r;
    int rc = st_run_one(
        &r, s, "SELECT seq FROM campaign_totals WHERE campaign_id = $1",
        campaign_id, "campaign", f);
    if (rc == 0)
        *seq = st_i64col(r, 0, 0);
    PQclear(r);
    return rc;
}

int st_read_entry(struct ledger_entry *e, PGresult *r, int row, int col,
                  struct fault *f)
{
    memset(e, 0, sizeof *e);
    st_strcol(e->campaign_id, sizeof e->campaign_id, r, row, col);
    e->seq = st_i64col(r, row, col + 1);
    if (ledger_kind_parse(&e->kind, PQgetvalue(r, row, col + 2)) != 0)
        return fault_set(f, FAULT_TAMPERED, NULL, "seq %lld: unknown kind %s",
                         (long long)e->seq, PQgetvalue(r, row, col + 2));
    st_strcol(e->pledge_id, sizeof e->pledge_id, r, row, col + 3);
    e->amount_minor = st_i64col(r, row, col + 4);
    st_strcol(e->currency, sizeof e->currency, r, row, col + 5);
    st_strcol(e->created_at, sizeof e->created_at, r, row, col + 6);
    st_strcol(e->provider, sizeof e->provider, r, row, col + 9);
    st_strcol(e->reference, sizeof e->reference, r, row, col + 10);
    st_strcol(e->method, sizeof e->method, r, row, col + 11);
    st_strcol(e->reason, sizeof e->reason, r, row, col + 12);
    int rc = st_unbytea(e->prev_hash, PQgetvalue(r, row, col + 7), f);
    if (rc == 0)
        rc = st_unbytea(e->entry_hash, PQgetvalue(r, row, col + 8), f);
    if (rc == 0 && !PQgetisnull(r, row, col + 13))
        rc = st_unbytea(e->leaf_hash, PQgetvalue(r, row, col + 13), f);
    return rc;
}
