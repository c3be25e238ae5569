/* Staff reads over a whole campaign: pledges found by donor, amount or
 * id, and the ledger summed per day or hour. */
#include "store/search.h"
#include "store/internal.h"

#include <stdio.h>
#include <string.h>

int store_pledges_search(struct store *s, const char *campaign_id,
                         const struct pledge_query *q, int limit,
                         int (*fn)(void *ctx, const struct pledge_row *p),
                         void *ctx, struct fault *f)
{
    int rc = st_ensure(s, f);
    if (rc)
        return rc;
    char a[I64_TEXT], l[I64_TEXT];
    /* strpos, not LIKE: the donor's words need no escaping. */
    const char *params[5] = {
        campaign_id, q->text, q->has_amount ? st_i64text(a, q->amount_minor)
                                            : NULL,
        q->id, st_i64text(l, limit)};
    PGresult *r;
    if ((rc = st_run(&r, s, PGRES_TUPLES_OK,
                     PLEDGE_ROW_SELECT
                     "WHERE p.campaign_id = $1 AND ("
                     "($2::text IS NOT NULL AND "
                     "(strpos(lower(coalesce(p.donor_name, '')), lower($2)) > 0 "
                     "OR strpos(lower(coalesce(p.donor_email, '')), lower($2)) > 0)) "
                     "OR p.amount_minor = $3::bigint OR p.id = $4::uuid) "
                     "ORDER BY p.seq DESC LIMIT $5",
                     5, params, f)) != 0)
        return rc;
    rc = st_pledge_rows(r, fn, ctx, f);
    PQclear(r);
    return rc;
}

int store_series(struct store *s, const char *campaign_id, bool hour,
                 int (*fn)(void *ctx, const struct series_point *p),
                 void *ctx, struct fault *f)
{
    int rc = st_ensure(s, f);
    if (rc)
        return rc;
    const char *params[2] = {campaign_id, hour ? "hour" : "day"};
    PGresult *r;
    if ((rc = st_run(&r, s, PGRES_TUPLES_OK,
                     "SELECT to_char(b, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
                     "coalesce(sum(amount_minor) FILTER (WHERE kind IN "
                     "('pledge', 'refund', 'void')), 0), "
                     "coalesce(sum(amount_minor) FILTER (WHERE kind IN "
                     "('payment', 'payment_reversal')), 0), "
                     "count(*) FILTER (WHERE kind = 'pledge'), "
                     "count(*) FILTER (WHERE kind = 'refund'), "
                     "coalesce(sum(amount_minor) FILTER (WHERE kind = "
                     "'pledge'), 0) "
                     "FROM (SELECT date_trunc($2, created_at::timestamptz "
                     "AT TIME ZONE 'UTC') AS b, kind, amount_minor "
                     "FROM ledger_entries WHERE campaign_id = $1) x "
                     "GROUP BY b ORDER BY b",
                     2, params, f)) != 0)
        return rc;
    struct series_point p;
    for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
        st_strcol(p.start, sizeof p.start, r, i, 0);
        p.raised_minor = st_i64col(r, i, 1);
        p.collected_minor = st_i64col(r, i, 2);
        p.pledges = st_i64col(r, i, 3);
        p.refunds = st_i64col(r, i, 4);
        p.pledged_minor = st_i64col(r, i, 5);
        rc = fn(ctx, &p);
    }
    PQclear(r);
    return rc;
}
