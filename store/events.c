/* The event log as read back (sql/007_events.sql writes it). */
#include "store/internal.h"

#include <stdio.h>
#include <string.h>

#define EVENTS_CHANNEL "pledged_events"

int store_events_page(struct store *s, int64_t after, int limit,
                      char types[][EVENT_TYPE_MAX], size_t ntypes,
                      int (*fn)(void *ctx, const struct event_row *e),
                      void *ctx, struct fault *f)
{
    int rc = st_ensure(s, f);
    return rc ? rc : st_events_page(s, after, limit, types, ntypes, fn, ctx, f);
}

int st_events_page(struct store *s, int64_t after, int limit,
                   char types[][EVENT_TYPE_MAX], size_t ntypes,
                   int (*fn)(void *ctx, const struct event_row *e), void *ctx,
                   struct fault *f)
{
    int rc;
    struct buf arr;
    buf_init(&arr);
    st_arr_open(&arr);
    for (size_t i = 0; i < ntypes; i++)
        st_arr_text(&arr, types[i]);
    st_arr_close(&arr);
    if (buf_failed(&arr)) {
        buf_release(&arr);
        return fault_set(f, FAULT_NOMEM, NULL, "out of memory");
    }
    char a[I64_TEXT], l[I64_TEXT];
    const char *params[3] = {st_i64text(a, after), st_i64text(l, limit),
                             ntypes ? arr.data : NULL};
    PGresult *r;
    rc = st_run(&r, s, PGRES_TUPLES_OK,
                /* A pledge.created's data is its pledge row (sql/007). */
                "SELECT e.event_seq, events_id(e.event_seq), e.type, "
                "coalesce(e.campaign_id, ''), "
                "to_char(e.created_at AT TIME ZONE 'UTC', " ST_STAMP "), "
                "coalesce(e.data, jsonb_build_object("
                "'pledge_id', p.id, 'campaign_id', p.campaign_id, "
                "'seq', p.seq, 'amount_minor', p.amount_minor, "
                "'currency', p.currency, 'kind', p.kind, "
                "'anonymous', p.anonymous, 'donor_name', CASE WHEN "
                "p.anonymous THEN NULL ELSE p.donor_name END, "
                "'message', p.message, 'created_at', p.created_at))::text, "
                "coalesce(e.personal, CASE WHEN p.donor_email IS NOT NULL "
                "THEN jsonb_build_object('donor_email', p.donor_email) "
                "END)::text "
                "FROM events e LEFT JOIN pledges p ON p.id = e.pledge_id "
                "WHERE e.event_seq > $1 AND "
                "($3::text[] IS NULL OR e.type = ANY ($3::text[])) "
                "ORDER BY e.event_seq LIMIT $2",
                3, params, f);
    buf_release(&arr);
    if (rc)
        return rc;
    for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
        struct event_row e;
        memset(&e, 0, sizeof e);
        e.seq = st_i64col(r, i, 0);
        st_strcol(e.id, sizeof e.id, r, i, 1);
        st_strcol(e.type, sizeof e.type, r, i, 2);
        st_strcol(e.campaign_id, sizeof e.campaign_id, r, i, 3);
        st_strcol(e.created_at, sizeof e.created_at, r, i, 4);
        e.data = PQgetvalue(r, i, 5);
        e.personal = PQgetisnull(r, i, 6) ? NULL : PQgetvalue(r, i, 6);
        rc = fn(ctx, &e);
    }
    PQclear(r);
    return rc;
}

int store_event_head(int64_t *seq, struct store *s, struct fault *f)
{
    int rc = st_ensure(s, f);
    PGresult *r;
    if (rc || (rc = st_run(&r, s, PGRES_TUPLES_OK,
                           "SELECT seq FROM event_head", 0, NULL, f)) != 0)
        return rc;
    *seq = st_i64col(r, 0, 0);
    PQclear(r);
    return 0;
}

int store_event_add(struct store *s, const char *type,
                    const char *campaign_id, const char *data_json,
                    struct fault *f)
{
    int rc = st_ensure(s, f);
    if (rc)
        return rc;
    const char *params[3] = {type, campaign_id, data_json};
    PGresult *r;
    /* One statement: its own transaction, the counter held to its end. */
    rc = st_run(&r, s, PGRES_TUPLES_OK,
                "SELECT events_append(jsonb_build_array(jsonb_build_object("
                "'type', $1::text, 'campaign_id', $2::text, 'data', "
                "$3::jsonb)))",
                3, params, f);
    if (rc == 0)
        PQclear(r);
    return rc;
}

int store_listen_events(struct store *s, struct fault *f)
{
    int rc = st_ensure(s, f);
    return rc ? rc : st_exec(s, "LISTEN " EVENTS_CHANNEL, f);
}
