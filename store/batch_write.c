/* The batched pledge write of group commit: one transaction, one lock per
 * campaign head, every column sent as one array parameter. */
#include "store/internal.h"

#include "core/money.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The locked head of one campaign in a batch. */
struct batch_head {
    struct campaign c;
    struct totals t;
    int64_t admitted; /* raised_minor with the items admitted so far */
    bool touched;
};

static int lock_heads(struct batch_head **out, size_t *nout, struct store *s,
                      struct batch_item *items, size_t n, struct fault *f)
{
    struct buf ids;
    buf_init(&ids);
    st_arr_open(&ids);
    for (size_t i = 0; i < n; i++)
        if (items[i].rc == 0 && !items[i].replayed)
            st_arr_text(&ids, items[i].pledge.campaign_id);
    st_arr_close(&ids);
    const char *params[1] = {ids.data};
    PGresult *r;
    int rc =
        st_run(&r, s, PGRES_TUPLES_OK,
               "SELECT " CAMPAIGN_COLUMNS " FROM campaigns c "
               "JOIN campaign_totals t ON t.campaign_id = c.id "
               "WHERE c.id = ANY($1::text[]) ORDER BY c.id FOR UPDATE OF t",
               1, params, f);
    buf_release(&ids);
    if (rc)
        return rc;
    size_t m = (size_t)PQntuples(r);
    struct batch_head *heads = calloc(m ? m : 1, sizeof *heads);
    if (heads == NULL)
        rc = fault_set(f, FAULT_NOMEM, NULL, "out of memory");
    for (size_t i = 0; rc == 0 && i < m; i++)
        if ((rc = st_read_campaign(&heads[i].c, &heads[i].t, r, (int)i,
                                   f)) == 0)
            heads[i].admitted = heads[i].t.raised_minor;
    PQclear(r);
    if (rc) {
        free(heads);
        return rc;
    }
    *out = heads;
    *nout = m;
    return 0;
}

/* Marks items whose key is already recorded (or repeated earlier in the
 * batch) as replays; they are resolved after the transaction. */
static int find_replays(struct store *s, struct batch_item *items, size_t n,
                        struct fault *f)
{
    struct buf keys;
    buf_init(&keys);
    st_arr_open(&keys);
    size_t nkeys = 0;
    for (size_t i = 0; i < n; i++) {
        if (items[i].idem == NULL)
            continue;
        for (size_t j = 0; j < i && !items[i].replayed; j++)
            items[i].replayed =
                items[j].idem &&
                strcmp(items[j].idem->key, items[i].idem->key) == 0;
        st_arr_text(&keys, items[i].idem->key);
        nkeys++;
    }
    st_arr_close(&keys);
    int rc = 0;
    if (nkeys > 0) {
        const char *params[1] = {keys.data};
        PGresult *r;
        rc = st_run(
            &r, s, PGRES_TUPLES_OK,
            "SELECT key FROM idempotency_keys WHERE key = ANY($1::text[])", 1,
            params, f);
        for (int k = 0; rc == 0 && k < PQntuples(r); k++)
            for (size_t i = 0; i < n; i++)
                if (items[i].idem &&
                    strcmp(items[i].idem->key, PQgetvalue(r, k, 0)) == 0)
                    items[i].replayed = true;
        PQclear(r);
    }
    buf_release(&keys);
    return rc;
}

/* Records the keys of the items about to be written. find_replays has
 * seen every key committed before; a key another transaction (another
 * instance's batch) records meanwhile is skipped, after waiting for that
 * transaction to end, and its item becomes a replay of what that one
 * wrote: the same answer whichever instance a retry reaches, nothing else
 * in the batch fails, and no duplicate-key error (quoting the key) lands
 * in Postgres's log. */
static int record_keys(struct store *s, struct batch_item *items, size_t n,
                       struct fault *f)
{
    struct buf a[3];
    for (int k = 0; k < 3; k++) {
        buf_init(&a[k]);
        st_arr_open(&a[k]);
    }
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        if (items[i].rc || items[i].replayed || items[i].idem == NULL)
            continue;
        st_arr_text(&a[0], items[i].idem->key);
        st_arr_bytea(&a[1], items[i].idem->request_hash);
        st_arr_text(&a[2], items[i].pledge.id);
        count++;
    }
    for (int k = 0; k < 3; k++)
        st_arr_close(&a[k]);
    int rc = 0;
    if (count > 0) {
        const char *params[3] = {a[0].data, a[1].data, a[2].data};
        PGresult *r;
        rc = st_run(&r, s, PGRES_TUPLES_OK,
                    "INSERT INTO idempotency_keys (key, request_hash, status, "
                    "resource, resource_id) SELECT k, h, 201, 'pledge', id "
                    "FROM unnest($1::text[], $2::bytea[], $3::uuid[]) "
                    "AS u(k, h, id) ON CONFLICT (key) DO NOTHING RETURNING key",
                    3, params, f);
        for (size_t i = 0; rc == 0 && i < n; i++) {
            if (items[i].rc || items[i].replayed || items[i].idem == NULL)
                continue;
            bool mine = false;
            for (int k = 0; k < PQntuples(r) && !mine; k++)
                mine = strcmp(items[i].idem->key, PQgetvalue(r, k, 0)) == 0;
            items[i].replayed = !mine;
        }
        PQclear(r);
    }
    for (int k = 0; k < 3; k++)
        buf_release(&a[k]);
    return rc;
}

/* Chains the accepted items onto their heads and writes entries, pledges,
 * totals and notifications. */
static int write_batch(struct store *s, struct batch_item *items, size_t n,
                       struct batch_head *heads, size_t nheads, struct fault *f)
{
    /* columns of entries, pledges, totals and attribution */
    struct buf e[10], p[5], t[6], src[8];
    struct buf *all[29];
    size_t na = 0;
    for (int k = 0; k < 10; k++)
        all[na++] = &e[k];
    for (int k = 0; k < 5; k++)
        all[na++] = &p[k];
    for (int k = 0; k < 6; k++)
        all[na++] = &t[k];
    struct st_nodes nodes;
    st_nodes_open(&nodes);
    for (int k = 0; k < 8; k++)
        all[na++] = &src[k];
    for (size_t k = 0; k < na; k++) {
        buf_init(all[k]);
        st_arr_open(all[k]);
    }
    int rc = 0;
    size_t count = 0, nsrc = 0;
    int64_t now = clock_now_us();
    for (size_t i = 0; rc == 0 && i < n; i++) {
        struct batch_item *it = &items[i];
        if (it->rc || it->replayed)
            continue;
        struct batch_head *bh = NULL;
        for (size_t k = 0; k < nheads && !bh; k++)
            if (strcmp(heads[k].c.id, it->pledge.campaign_id) == 0)
                bh = &heads[k];
        struct pledge *pl = &it->pledge;
        struct ledger_entry le;
        memset(&le, 0, sizeof le);
        memcpy(le.campaign_id, pl->campaign_id, sizeof le.campaign_id);
        le.kind = ENTRY_PLEDGE;
        memcpy(le.pledge_id, pl->id, sizeof le.pledge_id);
        le.amount_minor = pl->amount_minor;
        memcpy(le.currency, pl->currency, sizeof le.currency);
        if ((rc = ledger_next(&le, &bh->t, now, f)) != 0)
            break;
        bh->touched = true;
        pl->seq = le.seq;
        memcpy(pl->created_at, le.created_at, sizeof pl->created_at);
        memcpy(pl->entry_hash, le.entry_hash, 32);

        st_arr_text(&e[0], le.campaign_id);
        st_arr_i64(&e[1], le.seq);
        st_arr_text(&e[2], "pledge");
        st_arr_text(&e[3], le.pledge_id);
        st_arr_i64(&e[4], le.amount_minor);
        st_arr_text(&e[5], le.currency);
        st_arr_text(&e[6], le.created_at);
        st_arr_bytea(&e[7], le.prev_hash);
        st_arr_bytea(&e[8], le.entry_hash);
        st_arr_bytea(&e[9], le.leaf_hash);
        st_nodes_add(&nodes, &le);
        st_arr_text(&p[0], pledge_kind_name(pl->kind));
        st_arr_text(&p[1], pl->donor_name[0] ? pl->donor_name : NULL);
        st_arr_text(&p[2], pl->donor_email[0] ? pl->donor_email : NULL);
        st_arr_text(&p[3], pl->anonymous ? "true" : "false");
        st_arr_text(&p[4], pl->message[0] ? pl->message : NULL);
        count++;
        if (!source_empty(&pl->source)) {
            st_arr_text(&src[0], pl->id);
            st_arr_text(&src[1], pl->campaign_id);
            st_arr_text(&src[2], pl->source.page[0] ? pl->source.page : NULL);
            for (int k = 0; k < SOURCE_UTM_N; k++)
                st_arr_text(&src[3 + k],
                            pl->source.utm[k][0] ? pl->source.utm[k] : NULL);
            nsrc++;
        }
    }
    for (size_t k = 0; k < nheads; k++) {
        if (!heads[k].touched)
            continue;
        st_arr_text(&t[0], heads[k].c.id);
        st_arr_i64(&t[1], heads[k].t.seq);
        st_arr_i64(&t[2], heads[k].t.raised_minor);
        st_arr_i64(&t[3], heads[k].t.supporters);
        st_arr_bytea(&t[4], heads[k].t.head_hash);
        /* An array element holding bytea text: quoted, backslash doubled. */
        buf_puts(&t[5], t[5].len > 1 ? ",\"" : "\"");
        buf_puts(&t[5], "\\");
        st_frontier_text(&t[5], &heads[k].t);
        buf_putc(&t[5], '"');
    }
    for (size_t k = 0; k < na; k++)
        st_arr_close(all[k]);
    for (size_t k = 0; k < na && rc == 0; k++)
        if (buf_failed(all[k]))
            rc = fault_set(f, FAULT_NOMEM, NULL, "out of memory");
    PGresult *r = NULL;
    if (rc == 0 && count > 0) {
        const char *ep[10] = {e[0].data, e[1].data, e[2].data, e[3].data,
                              e[4].data, e[5].data, e[6].data, e[7].data,
                              e[8].data, e[9].data};
        rc =
            st_run(&r, s, PGRES_COMMAND_OK,
                   "INSERT INTO ledger_entries (campaign_id, seq, kind, "
                   "pledge_id, amount_minor, currency, created_at, created_ts, "
                   "prev_hash, entry_hash, leaf_hash) SELECT c, q, k, id, a, "
                   "cur, ts, ts::timestamptz, ph, eh, lh FROM "
                   "unnest($1::text[], $2::bigint[], $3::text[], $4::uuid[], "
                   "$5::bigint[], $6::text[], $7::text[], $8::bytea[], "
                   "$9::bytea[], $10::bytea[]) WITH ORDINALITY AS u(c, q, k, "
                   "id, a, cur, ts, ph, eh, lh, o) ORDER BY o",
                   10, ep, f);
        PQclear(r);
    }
    if (rc == 0 && count > 0) {
        const char *pp[11] = {e[3].data, e[0].data, e[1].data, e[4].data,
                              e[5].data, p[0].data, p[1].data, p[2].data,
                              p[3].data, p[4].data, e[6].data};
        rc = st_run(&r, s, PGRES_COMMAND_OK,
                    "INSERT INTO pledges (id, campaign_id, seq, amount_minor, "
                    "currency, kind, donor_name, donor_email, anonymous, "
                    "message, created_at) SELECT * FROM unnest($1::uuid[], "
                    "$2::text[], $3::bigint[], $4::bigint[], $5::text[], "
                    "$6::text[], $7::text[], $8::text[], $9::boolean[], "
                    "$10::text[], $11::text[])",
                    11, pp, f);
        PQclear(r);
    }
    if (rc == 0 && nsrc > 0) {
        const char *sp[8] = {src[0].data, src[1].data, src[2].data,
                             src[3].data, src[4].data, src[5].data,
                             src[6].data, src[7].data};
        rc = st_run(&r, s, PGRES_COMMAND_OK,
                    "INSERT INTO pledge_sources (pledge_id, campaign_id, "
                    "page, utm_source, utm_medium, utm_campaign, utm_term, "
                    "utm_content) SELECT * FROM unnest($1::uuid[], "
                    "$2::text[], $3::text[], $4::text[], $5::text[], "
                    "$6::text[], $7::text[], $8::text[])",
                    8, sp, f);
        PQclear(r);
    }
    if (rc == 0 && count > 0) {
        const char *tp[6] = {t[0].data, t[1].data, t[2].data,
                             t[3].data, t[4].data, t[5].data};
        rc =
            st_run(&r, s, PGRES_TUPLES_OK,
                   "WITH v AS (SELECT * FROM unnest($1::text[], $2::bigint[], "
                   "$3::bigint[], $4::bigint[], $5::bytea[], $6::bytea[]) AS "
                   "v(id, q, r, n, h, fr)), u AS (UPDATE campaign_totals t "
                   "SET seq = v.q, raised_minor = v.r, supporters = v.n, "
                   "head_hash = v.h, tree_frontier = v.fr FROM v WHERE "
                   "t.campaign_id = v.id RETURNING t.campaign_id) "
                   "SELECT pg_notify('" ST_TOTALS_CHANNEL "', campaign_id) "
                   "FROM u",
                   6, tp, f);
        PQclear(r);
    }
    int nrc = st_nodes_insert(s, &nodes, rc == 0 ? f : NULL);
    if (rc == 0)
        rc = nrc;
    for (size_t k = 0; k < na; k++)
        buf_release(all[k]);
    return rc;
}

int store_pledge_batch(struct store *s, struct batch_item *items, size_t n,
                       batch_check_fn *check, void *ctx, struct fault *f)
{
    int rc = st_ensure(s, f);
    if (rc)
        return rc;
    struct batch_head *heads = NULL;
    size_t nheads = 0;
    for (size_t i = 0; i < n; i++) {
        items[i].rc = 0;
        items[i].replayed = false;
        memset(&items[i].fault, 0, sizeof items[i].fault);
    }
    if ((rc = st_exec(s, "BEGIN", f)) != 0 ||
        (rc = find_replays(s, items, n, f)) != 0 ||
        (rc = lock_heads(&heads, &nheads, s, items, n, f)) != 0)
        goto done;
    for (size_t i = 0; i < n; i++) {
        struct batch_item *it = &items[i];
        if (it->replayed)
            continue;
        struct batch_head *bh = NULL;
        for (size_t k = 0; k < nheads && !bh; k++)
            if (strcmp(heads[k].c.id, it->pledge.campaign_id) == 0)
                bh = &heads[k];
        it->rc = bh ? check(ctx, i, &bh->c, &it->pledge, &it->fault)
                    : fault_set(&it->fault, FAULT_NOT_FOUND, NULL,
                                "no campaign %s", it->pledge.campaign_id);
        /* A pledge the total cannot take is refused alone (before its key
         * is recorded); the rest of the batch goes on. */
        if (it->rc == 0)
            it->rc = money_total_add(&bh->admitted, it->pledge.amount_minor,
                                     &it->fault);
    }
    if ((rc = record_keys(s, items, n, f)) == 0 &&
        (rc = write_batch(s, items, n, heads, nheads, f)) == 0 &&
        (rc = st_commit(s, f)) == FAULT_UNAVAILABLE)
        /* The connection was lost during COMMIT: the batch may or may not
         * be committed. Ask the database, never guess. */
        rc = st_batch_resolve(s, items, n, f);
done:
    st_rollback(s);
    free(heads);
    return rc;
}
