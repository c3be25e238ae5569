/* Money entries of one pledge (void, payment, payment_reversal, refund):
 * the pledge's state read under its campaign's lock, the caller's rule
 * deciding the entries, all of them appended in one transaction. */
#include "store/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int st_read_money(struct pledge_money *m, struct store *s,
                  const struct pledge *p, const char *held_ref,
                  struct fault *f)
{
    const char *params[2] = {p->id, held_ref ? held_ref : ""};
    PGresult *r;
    int rc = st_run(
        &r, s, PGRES_TUPLES_OK,
        "SELECT coalesce(sum(amount_minor) FILTER (WHERE kind IN "
        "('payment', 'payment_reversal')), 0), "
        "count(*) FILTER (WHERE kind = 'payment'), "
        "coalesce(bool_or(kind = 'void'), false), "
        "coalesce(bool_or(kind = 'refund'), false), "
        "coalesce(bool_or(kind = 'payment_reversal' AND reason = 'dispute'), "
        "false), "
        "coalesce((array_agg(provider ORDER BY seq DESC) FILTER (WHERE kind "
        "= 'payment'))[1], ''), "
        "coalesce((array_agg(reference ORDER BY seq DESC) FILTER (WHERE kind "
        "= 'payment'))[1], ''), "
        "coalesce((array_agg(method ORDER BY seq DESC) FILTER (WHERE kind = "
        "'payment'))[1], ''), "
        /* what is held of the payment $2: it, less "$2@..." reversals */
        "coalesce(sum(amount_minor) FILTER (WHERE $2 <> '' AND ((kind = "
        "'payment' AND reference = $2) OR (kind = 'payment_reversal' AND "
        "starts_with(reference, $2 || '@')))), 0) "
        "FROM ledger_entries WHERE pledge_id = $1",
        2, params, f);
    if (rc)
        return rc;
    memset(m, 0, sizeof *m);
    m->promised = p->amount_minor;
    m->paid = st_i64col(r, 0, 0);
    m->payments = st_i64col(r, 0, 1);
    m->voided = PQgetvalue(r, 0, 2)[0] == 't';
    m->refunded = PQgetvalue(r, 0, 3)[0] == 't';
    m->disputed = PQgetvalue(r, 0, 4)[0] == 't';
    st_strcol(m->provider, sizeof m->provider, r, 0, 5);
    st_strcol(m->reference, sizeof m->reference, r, 0, 6);
    st_strcol(m->method, sizeof m->method, r, 0, 7);
    m->ref_held = st_i64col(r, 0, 8);
    PQclear(r);
    return 0;
}

int store_pledge_money(struct pledge_money *m, struct store *s,
                       const struct pledge *p, struct fault *f)
{
    int rc = st_ensure(s, f);
    return rc ? rc : st_read_money(m, s, p, NULL, f);
}

/* The refunds row naming the refund's last entry. */
static int insert_refund_row(struct store *s, const char *refund_id,
                             const struct ledger_entry *e, struct fault *f)
{
    char seq[I64_TEXT];
    const char *params[5] = {refund_id, e->pledge_id, e->campaign_id,
                             st_i64text(seq, e->seq), e->created_at};
    PGresult *r;
    int rc = st_run(&r, s, PGRES_COMMAND_OK,
                    "INSERT INTO refunds (id, pledge_id, campaign_id, seq, "
                    "created_at) VALUES ($1, $2, $3, $4, $5)",
                    5, params, f);
    PQclear(r);
    return rc;
}

static int append_moves(struct money_append *m, struct store *s,
                        const struct pledge *p, struct fault *f)
{
    struct totals t;
    int rc;
    if ((rc = st_lock_head(&t, s, p->campaign_id, f)) != 0 ||
        (rc = st_read_money(&m->before, s, p, m->held_ref, f)) != 0)
        return rc;
    struct money_move moves[MONEY_MOVES_MAX];
    size_t n = 0;
    if ((rc = m->decide(m->ctx, p, &m->before, moves, &n, f)) != 0 || n == 0)
        return rc;
    if ((rc = st_record_key(s, m->idem, 201, m->resource, m->resource_id,
                            f)) != 0)
        return rc;
    int64_t now = clock_now_us();
    for (size_t i = 0; i < n; i++) {
        struct ledger_entry *e = &m->entries[i];
        memset(e, 0, sizeof *e);
        snprintf(e->campaign_id, sizeof e->campaign_id, "%s", p->campaign_id);
        memcpy(e->pledge_id, p->id, sizeof e->pledge_id);
        memcpy(e->currency, p->currency, sizeof e->currency);
        e->kind = moves[i].kind;
        e->amount_minor = moves[i].amount_minor;
        memcpy(e->provider, moves[i].provider, sizeof e->provider);
        memcpy(e->reference, moves[i].reference, sizeof e->reference);
        memcpy(e->method, moves[i].method, sizeof e->method);
        memcpy(e->reason, moves[i].reason, sizeof e->reason);
        if ((rc = ledger_next(e, &t, now, f)) != 0 ||
            (rc = st_insert_entry(s, e, &t, f)) != 0)
            return rc;
    }
    m->n = n;
    if (m->refund_id &&
        (rc = insert_refund_row(s, m->refund_id, &m->entries[n - 1], f)) != 0)
        return rc;
    const char *params[1] = {p->campaign_id};
    PGresult *r;
    if ((rc = st_run(&r, s, PGRES_TUPLES_OK,
                     "SELECT pg_notify('" ST_TOTALS_CHANNEL "', $1)", 1,
                     params, f)) != 0)
        return rc;
    PQclear(r);
    return st_log(s, m->log, f);
}

int store_money_append(struct money_append *m, struct store *s,
                       struct fault *f)
{
    m->n = 0;
    int rc = st_ensure(s, f);
    if (rc)
        return rc;
    struct pledge *p = malloc(sizeof *p);
    if (p == NULL)
        return fault_set(f, FAULT_NOMEM, NULL, "out of memory");
    struct fault local = {0};
    if ((rc = store_pledge_get(p, s, m->pledge_id, f)) == 0 &&
        (rc = st_exec(s, "BEGIN", f)) == 0 &&
        (rc = append_moves(m, s, p, &local)) == 0 && m->n > 0)
        rc = st_commit(s, &local);
    if (rc == FAULT_CONFLICT && local.message[0] &&
        strcmp(local.message, "already exists") == 0)
        /* the provider's reference is recorded already (a unique index) */
        rc = fault_set(f, FAULT_CONFLICT, "reference",
                       "this payment is recorded already");
    else if (rc)
        fault_set(f, rc, local.field, "%s", local.message);
    if (rc || m->n == 0)
        m->n = 0;
    st_rollback(s);
    free(p);
    return rc;
}

int store_provider_event(struct store *s, const char *provider,
                         const char *event_id, const char *type,
                         struct fault *f)
{
    int rc = st_ensure(s, f);
    if (rc)
        return rc;
    const char *params[3] = {provider, event_id, type};
    PGresult *r;
    if ((rc = st_run(&r, s, PGRES_TUPLES_OK,
                     "INSERT INTO provider_events (provider, event_id, type) "
                     "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING "
                     "RETURNING 1",
                     3, params, f)) != 0)
        return rc;
    rc = PQntuples(r) == 1 ? 1 : 0;
    PQclear(r);
    return rc;
}

int store_stale_pledges(struct store *s, int64_t now_us, int limit,
                        int (*fn)(void *ctx, const char *pledge_id),
                        void *ctx, struct fault *f)
{
    int rc = st_ensure(s, f);
    if (rc)
        return rc;
    char now[CLOCK_RFC3339_LEN], lim[I64_TEXT];
    clock_format(now, now_us);
    const char *params[2] = {now, st_i64text(lim, limit)};
    PGresult *r;
    /* Promises past their campaign's pledge_ttl_s with nothing after them
     * (no payment, void or refund); oldest first. */
    if ((rc = st_run(&r, s, PGRES_TUPLES_OK,
                     "SELECT p.id FROM pledges p JOIN campaigns c ON "
                     "c.id = p.campaign_id WHERE c.pledge_ttl_s IS NOT NULL "
                     "AND p.amount_minor > 0 "
                     "AND p.created_at::timestamptz + make_interval(secs => "
                     "c.pledge_ttl_s) < $1::timestamptz "
                     "AND NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE "
                     "e.pledge_id = p.id AND e.kind <> 'pledge') "
                     "ORDER BY p.created_at LIMIT $2",
                     2, params, f)) != 0)
        return rc;
    for (int i = 0; rc == 0 && i < PQntuples(r); i++)
        rc = fn(ctx, PQgetvalue(r, i, 0));
    PQclear(r);
    return rc;
}

int store_entry_by_reference(struct ledger_entry *e, struct store *s,
                             const char *provider, const char *reference,
                             enum entry_kind kind, struct fault *f)
{
    PGresult *r;
    int rc = st_ensure(s, f);
    if (rc)
        return rc;
    const char *params[3] = {provider, reference, ledger_kind_name(kind)};
    if ((rc = st_run(&r, s, PGRES_TUPLES_OK,
                     "SELECT " ENTRY_COLUMNS " FROM ledger_entries e "
                     "WHERE e.provider = $1 AND e.reference = $2 "
                     "AND e.kind = $3",
                     3, params, f)) != 0)
        return rc;
    rc = PQntuples(r) == 1 ? st_read_entry(e, r, 0, 0, f)
                           : fault_set(f, FAULT_NOT_FOUND, NULL,
                                       "no %s recorded as %s %s",
                                       ledger_kind_name(kind), provider,
                                       reference);
    PQclear(r);
    return rc;
}

int store_provider_event_known(struct store *s, const char *provider,
                               const char *event_id, struct fault *f)
{
    int rc = st_ensure(s, f);
    if (rc)
        return rc;
    const char *params[2] = {provider, event_id};
    PGresult *r;
    if ((rc = st_run(&r, s, PGRES_TUPLES_OK,
                     "SELECT 1 FROM provider_events WHERE provider = $1 "
                     "AND event_id = $2",
                     2, params, f)) != 0)
        return rc;
    rc = PQntuples(r) == 1;
    PQclear(r);
    return rc;
}

/* The lock's first key names what it guards (migrations use 7375836). */
#define PAY_LOCK_CLASS "7375837"

int store_pledge_try_lock(struct store *s, const char *pledge_id,
                          struct fault *f)
{
    int rc = st_ensure(s, f);
    if (rc)
        return rc;
    const char *params[1] = {pledge_id};
    PGresult *r;
    if ((rc = st_run(&r, s, PGRES_TUPLES_OK,
                     "SELECT pg_try_advisory_lock(" PAY_LOCK_CLASS
                     ", hashtext($1))",
                     1, params, f)) != 0)
        return rc;
    rc = PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    return rc;
}

void store_pledge_unlock(struct store *s, const char *pledge_id)
{
    const char *params[1] = {pledge_id};
    PGresult *r;
    if (st_run(&r, s, PGRES_TUPLES_OK,
               "SELECT pg_advisory_unlock(" PAY_LOCK_CLASS ", hashtext($1))",
               1, params, NULL) == 0)
        PQclear(r);
}
