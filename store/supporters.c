/* Recent supporters: the latest pledges as the public may see them, and
 * staff's approvals and hidden names. */
#include "store/supporters.h"
#include "store/internal.h"

#include <stdio.h>
#include <string.h>

int store_supporters(struct store *s, const char *campaign_id, bool moderated,
                     int limit,
                     int (*fn)(void *ctx, const struct supporter *p),
                     void *ctx, struct fault *f)
{
    int rc = st_ensure(s, f);
    if (rc)
        return rc;
    char l[I64_TEXT];
    const char *params[3] = {campaign_id, moderated ? "true" : "false",
                             st_i64text(l, limit)};
    PGresult *r;
    if ((rc = st_run(&r, s, PGRES_TUPLES_OK,
                     "SELECT CASE WHEN p.anonymous OR m.state = 'hidden' "
                     "THEN NULL ELSE nullif(p.donor_name, '') END, "
                     "p.created_at FROM pledges p LEFT JOIN pledge_moderation "
                     "m ON m.pledge_id = p.id WHERE p.campaign_id = $1 AND "
                     "NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE "
                     "e.pledge_id = p.id AND e.kind IN ('refund', 'void')) "
                     "AND (NOT $2::boolean OR m.state = 'approved') "
                     "ORDER BY p.seq DESC LIMIT $3",
                     3, params, f)) != 0)
        return rc;
    for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
        struct supporter p = {
            .name = PQgetisnull(r, i, 0) ? NULL : PQgetvalue(r, i, 0),
            .created_at = PQgetvalue(r, i, 1)};
        rc = fn(ctx, &p);
    }
    PQclear(r);
    return rc;
}

int store_moderate(char campaign_id[CAMPAIGN_ID_MAX + 1], struct store *s,
                   const char *pledge_id, const char *state,
                   const struct admin_action *log, struct fault *f)
{
    int rc = st_ensure(s, f);
    if (rc)
        return rc;
    const char *params[2] = {pledge_id, state};
    PGresult *r = NULL;
    if ((rc = st_exec(s, "BEGIN", f)) != 0 ||
        (rc = st_run(&r, s, PGRES_TUPLES_OK,
                     "INSERT INTO pledge_moderation (pledge_id, campaign_id, "
                     "state) SELECT id, campaign_id, $2 FROM pledges WHERE "
                     "id = $1::uuid ON CONFLICT (pledge_id) DO UPDATE SET "
                     "state = excluded.state, changed_at = now() "
                     "RETURNING campaign_id",
                     2, params, f)) != 0)
        goto done;
    if (PQntuples(r) == 0) {
        rc = fault_set(f, FAULT_NOT_FOUND, NULL, "no such pledge");
        goto done;
    }
    snprintf(campaign_id, CAMPAIGN_ID_MAX + 1, "%s", PQgetvalue(r, 0, 0));
    if ((rc = st_log(s, log, f)) != 0)
        goto done;
    rc = st_commit(s, f);
done:
    PQclear(r);
    if (rc)
        st_rollback(s);
    return rc;
}
