/* Gifts per article and source: pledges joined to their attribution. */
#include "store/sources.h"
#include "store/internal.h"

int store_sources(struct store *s, const char *campaign_id,
                  int (*fn)(void *ctx, const struct source_total *t),
                  void *ctx, struct fault *f)
{
    int rc = st_ensure(s, f);
    if (rc)
        return rc;
    const char *params[1] = {campaign_id};
    PGresult *r;
    if ((rc = st_run(&r, s, PGRES_TUPLES_OK,
                     "SELECT coalesce(x.page, ''), coalesce(x.utm_source, ''), "
                     "coalesce(x.utm_medium, ''), "
                     "coalesce(x.utm_campaign, ''), count(*), "
                     "sum(p.amount_minor), count(*) FILTER (WHERE k.kept), "
                     "coalesce(sum(p.amount_minor) FILTER (WHERE k.kept), 0) "
                     "FROM pledges p LEFT JOIN pledge_sources x ON "
                     "x.pledge_id = p.id CROSS JOIN LATERAL (SELECT NOT "
                     "EXISTS (SELECT 1 FROM ledger_entries e WHERE "
                     "e.pledge_id = p.id AND e.kind IN ('refund', 'void')) "
                     "AS kept) k WHERE p.campaign_id = $1 "
                     "GROUP BY 1, 2, 3, 4 ORDER BY 8 DESC, 5 DESC, 1, 2, 3, 4",
                     1, params, f)) != 0)
        return rc;
    for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
        struct source_total t = {
            .page = PQgetvalue(r, i, 0),
            .utm = {PQgetvalue(r, i, 1), PQgetvalue(r, i, 2),
                    PQgetvalue(r, i, 3)},
            .gifts = st_i64col(r, i, 4),
            .pledged_minor = st_i64col(r, i, 5),
            .kept = st_i64col(r, i, 6),
            .raised_minor = st_i64col(r, i, 7)};
        rc = fn(ctx, &t);
    }
    PQclear(r);
    return rc;
}
