/* Webhook endpoints (sql/008_webhooks.sql): what staff configure, and the
 * delivery's own transactions. A delivery holds its endpoint's row lock
 * (FOR UPDATE SKIP LOCKED) from the claim to the cursor's move, so one
 * instance at a time delivers an endpoint, in order, and a killed one
 * leaves the cursor where it was. */
#include "store/internal.h"

#include <stdio.h>
#include <string.h>

#define EP_COLUMNS                                                             \
    "id, url, types::text, secret, ed25519, personal, cursor, attempts, "    \
    "to_char(next_attempt_at AT TIME ZONE 'UTC', " ST_STAMP "), "            \
    "coalesce(to_char(failing_since AT TIME ZONE 'UTC', " ST_STAMP "), ''), " \
    "coalesce(last_error, ''), "                                             \
    "coalesce(to_char(disabled_at AT TIME ZONE 'UTC', " ST_STAMP "), ''), "   \
    "coalesce(disabled_reason, ''), "                                        \
    "to_char(created_at AT TIME ZONE 'UTC', " ST_STAMP ")"

/* "{a,b}" (Postgres's text form of our types: no quoting needed). */
static void read_types(struct webhook_endpoint *ep, const char *text)
{
    ep->ntypes = 0;
    const char *p = text[0] == '{' ? text + 1 : text;
    while (*p && *p != '}' && ep->ntypes < EVENT_TYPES_MAX) {
        size_t len = strcspn(p, ",}");
        if (len > 0 && len < EVENT_TYPE_MAX) {
            memcpy(ep->types[ep->ntypes], p, len);
            ep->types[ep->ntypes++][len] = '\0';
        }
        p += len + (p[len] == ',');
    }
}

static void read_endpoint(struct webhook_endpoint *ep, PGresult *r, int i)
{
    memset(ep, 0, sizeof *ep);
    st_strcol(ep->id, sizeof ep->id, r, i, 0);
    st_strcol(ep->url, sizeof ep->url, r, i, 1);
    read_types(ep, PQgetvalue(r, i, 2));
    st_strcol(ep->secret, sizeof ep->secret, r, i, 3);
    ep->ed25519 = PQgetvalue(r, i, 4)[0] == 't';
    ep->personal = PQgetvalue(r, i, 5)[0] == 't';
    ep->cursor = st_i64col(r, i, 6);
    ep->attempts = (int)st_i64col(r, i, 7);
    st_strcol(ep->next_attempt_at, sizeof ep->next_attempt_at, r, i, 8);
    st_strcol(ep->failing_since, sizeof ep->failing_since, r, i, 9);
    st_strcol(ep->last_error, sizeof ep->last_error, r, i, 10);
    st_strcol(ep->disabled_at, sizeof ep->disabled_at, r, i, 11);
    st_strcol(ep->disabled_reason, sizeof ep->disabled_reason, r, i, 12);
    st_strcol(ep->created_at, sizeof ep->created_at, r, i, 13);
}

static void types_text(struct buf *b, const struct webhook_endpoint *ep)
{
    buf_init(b);
    st_arr_open(b);
    for (size_t i = 0; i < ep->ntypes; i++)
        st_arr_text(b, ep->types[i]);
    st_arr_close(b);
}

int store_webhook_create(struct store *s, struct webhook_endpoint *ep,
                         int64_t from, const char *who,
                         const struct idem *idem,
                         const struct admin_action *log, struct fault *f)
{
    int rc = st_ensure(s, f);
    if (rc)
        return rc;
    struct buf types;
    types_text(&types, ep);
    char cursor[I64_TEXT];
    const char *params[8] = {ep->id, ep->url, types.data, ep->secret,
                             ep->ed25519 ? "true" : "false",
                             ep->personal ? "true" : "false",
                             from >= 1 ? st_i64text(cursor, from - 1) : NULL,
                             who};
    PGresult *r = NULL;
    struct fault local = {0};
    if (buf_failed(&types))
        rc = fault_set(f, FAULT_NOMEM, NULL, "out of memory");
    else if ((rc = st_exec(s, "BEGIN", f)) == 0 &&
             (rc = st_key_fault(st_record_key(s, idem, 201, "webhook", ep->id,
                                              &local),
                                &local, f)) == 0 &&
             /* No `from`: only events after now (the log's head). */
             (rc = st_run(&r, s, PGRES_TUPLES_OK,
                          "INSERT INTO webhook_endpoints (id, url, types, "
                          "secret, ed25519, personal, cursor, created_by) "
                          "SELECT $1, $2, $3, $4, $5, $6, coalesce($7::bigint, "
                          "seq), $8 FROM event_head RETURNING " EP_COLUMNS,
                          8, params, f)) == 0 &&
             (rc = st_log(s, log, f)) == 0 && (rc = st_commit(s, f)) == 0)
        read_endpoint(ep, r, 0);
    PQclear(r);
    st_rollback(s);
    buf_release(&types);
    return rc;
}

int store_webhook_get(struct webhook_endpoint *ep, struct store *s,
                      const char *id, struct fault *f)
{
    PGresult *r;
    int rc = st_run_one(&r, s,
                        "SELECT " EP_COLUMNS " FROM webhook_endpoints "
                        "WHERE id = $1::text::uuid",
                        id, "webhook", f);
    if (rc)
        return rc;
    read_endpoint(ep, r, 0);
    PQclear(r);
    return 0;
}

int store_webhooks_list(struct store *s,
                        int (*fn)(void *ctx, const struct webhook_endpoint *e),
                        void *ctx, struct fault *f)
{
    int rc = st_ensure(s, f);
    PGresult *r;
    if (rc || (rc = st_run(&r, s, PGRES_TUPLES_OK,
                           "SELECT " EP_COLUMNS " FROM webhook_endpoints "
                           "ORDER BY created_at, id",
                           0, NULL, f)) != 0)
        return rc;
    struct webhook_endpoint ep;
    for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
        read_endpoint(&ep, r, i);
        rc = fn(ctx, &ep);
    }
    explicit_bzero(&ep, sizeof ep);
    PQclear(r);
    return rc;
}

/* One statement on one endpoint, with its log row, in one transaction:
 * FAULT_NOT_FOUND when no row matched. */
static int change(struct store *s, const char *sql, int n,
                  const char *const *params, const struct admin_action *log,
                  struct fault *f)
{
    int rc = st_ensure(s, f);
    PGresult *r = NULL;
    if (rc == 0 && (rc = st_exec(s, "BEGIN", f)) == 0 &&
        (rc = st_run(&r, s, PGRES_COMMAND_OK, sql, n, params, f)) == 0) {
        if (strcmp(PQcmdTuples(r), "1") != 0)
            rc = fault_set(f, FAULT_NOT_FOUND, NULL, "no such webhook");
        else if ((rc = st_log(s, log, f)) == 0)
            rc = st_commit(s, f);
    }
    PQclear(r);
    st_rollback(s);
    return rc;
}

int store_webhook_replay(struct store *s, const char *id, int64_t from,
                         const struct admin_action *log, struct fault *f)
{
    char cursor[I64_TEXT];
    const char *params[2] = {id, st_i64text(cursor, from - 1)};
    return change(s,
                  "UPDATE webhook_endpoints SET cursor = $2, attempts = 0, "
                  "next_attempt_at = now(), failing_since = NULL, "
                  "last_error = NULL, disabled_at = NULL, "
                  "disabled_reason = NULL WHERE id = $1::text::uuid",
                  2, params, log, f);
}

int store_webhook_delete(struct store *s, const char *id,
                         const struct admin_action *log, struct fault *f)
{
    const char *params[1] = {id};
    return change(s, "DELETE FROM webhook_endpoints WHERE id = $1::text::uuid",
                  1, params, log, f);
}

/* ---- delivery ------------------------------------------------------- */

int store_webhook_claim(struct webhook_endpoint *ep, struct store *s,
                        struct fault *f)
{
    int rc = st_ensure(s, f);
    PGresult *r = NULL;
    /* The cursor's commits need not wait for the disk: a cursor move lost
     * in a crash only delivers its events again (at least once), never
     * skips one. */
    if (rc || (rc = st_exec(s, "BEGIN; SET LOCAL synchronous_commit = off",
                            f)) != 0 ||
        (rc = st_run(&r, s, PGRES_TUPLES_OK,
                     "SELECT " EP_COLUMNS ", (SELECT seq FROM event_head) "
                     "FROM webhook_endpoints "
                     "WHERE disabled_at IS NULL AND next_attempt_at <= now() "
                     "AND cursor < (SELECT seq FROM event_head) "
                     "ORDER BY next_attempt_at FOR UPDATE SKIP LOCKED "
                     "LIMIT 1",
                     0, NULL, f)) != 0) {
        st_rollback(s);
        return rc;
    }
    rc = PQntuples(r) == 1;
    if (rc) {
        read_endpoint(ep, r, 0);
        /* Read before the events are: every event up to it is committed
         * (event_seq is gap-free in commit order), so the page that finds
         * none of ep's types among them covers all of them. */
        ep->head = st_i64col(r, 0, PQnfields(r) - 1);
    }
    else
        st_rollback(s);
    PQclear(r);
    return rc;
}

int store_webhook_next(struct store *s, const struct webhook_endpoint *ep,
                       int (*fn)(void *ctx, const struct event_row *e),
                       void *ctx, struct fault *f)
{
    return st_events_page(s, ep->cursor, 1,
                          (char(*)[EVENT_TYPE_MAX])ep->types, ep->ntypes, fn,
                          ctx, f);
}

/* Ends the claim with one update (its parameter 1 the endpoint's id). */
static int finish(struct store *s, const char *sql, int n,
                  const char *const *params, struct fault *f)
{
    PGresult *r;
    int rc = st_run(&r, s, PGRES_COMMAND_OK, sql, n, params, f);
    if (rc == 0) {
        PQclear(r);
        rc = st_commit(s, f);
    }
    st_rollback(s);
    return rc;
}

int store_webhook_skip(struct store *s, const struct webhook_endpoint *ep,
                       struct fault *f)
{
    /* To the head read at the claim, not the head now: an event of ep's
     * types committed after its page was read must not be passed over. */
    char head[I64_TEXT];
    const char *params[2] = {ep->id, st_i64text(head, ep->head)};
    return finish(s,
                  "UPDATE webhook_endpoints SET cursor = greatest(cursor, "
                  "$2::bigint) WHERE id = $1::text::uuid",
                  2, params, f);
}

int store_webhook_delivered(struct store *s, const char *id, int64_t seq,
                            struct fault *f)
{
    char q[I64_TEXT];
    const char *params[2] = {id, st_i64text(q, seq)};
    PGresult *r;
    int rc = st_run(&r, s, PGRES_COMMAND_OK,
                    "UPDATE webhook_endpoints SET cursor = $2, attempts = 0, "
                    "next_attempt_at = now(), failing_since = NULL, "
                    "last_error = NULL WHERE id = $1::text::uuid",
                    2, params, f);
    if (rc == 0)
        PQclear(r);
    else
        st_rollback(s);
    return rc;
}

int store_webhook_commit(struct store *s, struct fault *f)
{
    int rc = st_commit(s, f);
    st_rollback(s);
    return rc;
}

int store_webhook_failed(struct store *s, const char *id, int attempts,
                         int64_t wait_ms, const char *error,
                         int64_t give_up_s, struct fault *f)
{
    char a[I64_TEXT], w[I64_TEXT], g[I64_TEXT];
    const char *params[5] = {id, st_i64text(a, attempts),
                             st_i64text(w, wait_ms), error,
                             st_i64text(g, give_up_s)};
    /* Failing for longer than give_up_s: disabled, for staff to see and
     * replay once the receiver is fixed. */
    return finish(s,
                  "UPDATE webhook_endpoints SET attempts = $2, "
                  "failing_since = coalesce(failing_since, now()), "
                  "last_error = left($4, 240), "
                  "next_attempt_at = now() + make_interval(secs => $3 / "
                  "1000.0), "
                  "disabled_at = CASE WHEN coalesce(failing_since, now()) <= "
                  "now() - make_interval(secs => $5) THEN now() END, "
                  "disabled_reason = CASE WHEN coalesce(failing_since, now()) "
                  "<= now() - make_interval(secs => $5) THEN 'failing since ' "
                  "|| to_char(coalesce(failing_since, now()) AT TIME ZONE "
                  "'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC: ' || left($4, "
                  "180) END WHERE id = $1::text::uuid",
                  5, params, f);
}

void store_webhook_release(struct store *s) { st_rollback(s); }
