/* The export cursor: a campaign's entries with their donors' fields,
 * streamed a row at a time (libpq single-row mode). */
#include "store/internal.h"

#include "core/clock.h"

#include <string.h>

int store_export_open(struct store *s, const char *campaign_id,
                      int64_t until_seq, bool has_from, int64_t from_us,
                      bool has_to, int64_t to_us, struct fault *f)
{
    int rc = st_ensure(s, f);
    if (rc)
        return rc;
    char until[I64_TEXT], from[CLOCK_RFC3339_LEN], to[CLOCK_RFC3339_LEN];
    if (has_from)
        clock_format(from, from_us);
    if (has_to)
        clock_format(to, to_us);
    const char *params[4] = {campaign_id, st_i64text(until, until_seq),
                             has_from ? from : NULL, has_to ? to : NULL};
    if (!PQsendQueryParams(
            s->conn,
            "SELECT " ENTRY_COLUMNS ", coalesce(p.donor_name, ''), "
            "coalesce(p.donor_email, ''), coalesce(p.message, ''), "
            "coalesce(p.anonymous, false) FROM ledger_entries e "
            "LEFT JOIN pledges p ON p.id = e.pledge_id "
            "WHERE e.campaign_id = $1 AND e.seq <= $2 "
            "AND ($3::timestamptz IS NULL OR e.created_ts >= $3) "
            "AND ($4::timestamptz IS NULL OR e.created_ts <= $4) "
            "ORDER BY e.seq",
            4, NULL, params, NULL, NULL, 0) ||
        !PQsetSingleRowMode(s->conn))
        return fault_set(f, FAULT_UNAVAILABLE, NULL, "database unavailable");
    s->exporting = true;
    return 0;
}

int store_export_next(struct export_row *row, struct store *s, struct fault *f)
{
    PQclear(s->row);
    s->row = NULL;
    if (!s->exporting)
        return 0;
    PGresult *r = PQgetResult(s->conn);
    if (r == NULL) {
        s->exporting = false;
        return 0;
    }
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_TUPLES_OK) { /* the end: drain the final NULL */
        PQclear(r);
        while ((r = PQgetResult(s->conn)) != NULL)
            PQclear(r);
        s->exporting = false;
        return 0;
    }
    if (st != PGRES_SINGLE_TUPLE) {
        int rc = st_fail(s, r, f);
        PQclear(r);
        store_export_close(s);
        return rc;
    }
    s->row = r;
    row->donor_name = PQgetvalue(r, 0, ENTRY_NCOLUMNS);
    row->donor_email = PQgetvalue(r, 0, ENTRY_NCOLUMNS + 1);
    row->message = PQgetvalue(r, 0, ENTRY_NCOLUMNS + 2);
    row->anonymous = PQgetvalue(r, 0, ENTRY_NCOLUMNS + 3)[0] == 't';
    int rc = st_read_entry(&row->entry, r, 0, 0, f);
    if (rc) {
        store_export_close(s);
        return rc;
    }
    return 1;
}

void store_export_close(struct store *s)
{
    PQclear(s->row);
    s->row = NULL;
    if (!s->exporting)
        return;
    s->exporting = false;
    /* Stop the server sending the rest, then drain what is in flight. */
    PGcancel *c = PQgetCancel(s->conn);
    if (c) {
        char err[128];
        PQcancel(c, err, sizeof err);
        PQfreeCancel(c);
    }
    PGresult *r;
    while ((r = PQgetResult(s->conn)) != NULL)
        PQclear(r);
}
