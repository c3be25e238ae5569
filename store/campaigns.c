/* Campaigns: settings, their totals row (the head of the chain), and the
 * lock that orders settings changes against pledges. */
#include "store/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses "[1,2,3]" (array_to_json of bigint[]) without a JSON library. */
static int parse_tiers(struct campaign *c, const char *s)
{
    c->ntiers = 0;
    if (*s++ != '[')
        return -1;
    while (*s && *s != ']') {
        char *end;
        if (c->ntiers == CAMPAIGN_TIERS_MAX)
            return -1;
        c->tiers[c->ntiers++] = strtoll(s, &end, 10);
        s = *end == ',' ? end + 1 : end;
    }
    return 0;
}

/* Parses array_to_json of text[] holding only plain origins (validated on
 * the way in: no quotes or backslashes in scheme://host:port). */
static void parse_origins(struct campaign *c, const char *s)
{
    c->norigins = 0;
    while ((s = strchr(s, '"')) != NULL && c->norigins < CAMPAIGN_ORIGINS_MAX) {
        const char *end = strchr(s + 1, '"');
        if (end == NULL)
            break;
        snprintf(c->origins[c->norigins++], sizeof c->origins[0], "%.*s",
                 (int)(end - s - 1), s + 1);
        s = end + 1;
    }
}

int st_read_campaign(struct campaign *c, struct totals *t, PGresult *r, int row,
                     struct fault *f)
{
    campaign_defaults(c);
    st_strcol(c->id, sizeof c->id, r, row, 0);
    st_strcol(c->title, sizeof c->title, r, row, 1);
    st_strcol(c->currency, sizeof c->currency, r, row, 2);
    c->goal_minor = st_i64col(r, row, 3);
    if (parse_tiers(c, PQgetvalue(r, row, 4)) != 0)
        return fault_set(f, FAULT_INTERNAL, NULL, "bad tiers in database");
    c->min_custom_minor = st_i64col(r, row, 5);
    c->max_custom_minor = st_i64col(r, row, 6);
    c->has_deadline = !PQgetisnull(r, row, 7);
    c->deadline_us = c->has_deadline ? st_i64col(r, row, 7) : 0;
    c->open = strcmp(PQgetvalue(r, row, 8), "open") == 0;
    parse_origins(c, PQgetvalue(r, row, 9));
    c->version = st_i64col(r, row, 10);
    st_strcol(c->provider, sizeof c->provider, r, row, 15);
    c->show_collected = strcmp(PQgetvalue(r, row, 16), "collected") == 0;
    st_strcol(c->payment_link, sizeof c->payment_link, r, row, 17);
    c->pledge_ttl_s = st_i64col(r, row, 18);
    if (supporters_list_parse(&c->supporters,
                              PQgetvalue(r, row, CAMPAIGN_COL_SUPPORTERS)) != 0)
        return fault_set(f, FAULT_INTERNAL, NULL,
                         "bad supporters_list in database");
    if (t) {
        t->seq = st_i64col(r, row, 11);
        t->raised_minor = st_i64col(r, row, 12);
        t->supporters = st_i64col(r, row, 13);
        t->collected_minor = st_i64col(r, row, 19);
        int rc = st_unbytea(t->head_hash, PQgetvalue(r, row, 14), f);
        return rc ? rc : st_read_frontier(t, PQgetvalue(r, row, CAMPAIGN_COL_FRONTIER),
                                     f);
    }
    return 0;
}

int store_campaign_get(struct campaign *c, struct totals *t, struct store *s,
                       const char *id, struct fault *f)
{
    PGresult *r;
    int rc = st_run_one(&r, s,
                        "SELECT " CAMPAIGN_COLUMNS " FROM campaigns c "
                        "JOIN campaign_totals t ON t.campaign_id = c.id "
                        "WHERE c.id = $1",
                        id, "campaign", f);
    if (rc == 0)
        rc = st_read_campaign(c, t, r, 0, f);
    PQclear(r);
    return rc;
}

static void int_array(char *out, size_t n, const int64_t *v, size_t count)
{
    size_t len = (size_t)snprintf(out, n, "{");
    for (size_t i = 0; i < count && len < n; i++)
        len += (size_t)snprintf(out + len, n - len, "%s%lld", i ? "," : "",
                                (long long)v[i]);
    if (len < n)
        snprintf(out + len, n - len, "}");
}

static void origin_array(char *out, size_t n, const struct campaign *c)
{
    size_t len = (size_t)snprintf(out, n, "{");
    for (size_t i = 0; i < c->norigins && len < n; i++)
        len += (size_t)snprintf(out + len, n - len, "%s\"%s\"", i ? "," : "",
                                c->origins[i]);
    if (len < n)
        snprintf(out + len, n - len, "}");
}

/* A campaign's settings as SQL parameter text. */
struct campaign_text {
    char goal[I64_TEXT], lo[I64_TEXT], hi[I64_TEXT];
    char deadline[CLOCK_RFC3339_LEN];
    char tiers[CAMPAIGN_TIERS_MAX * I64_TEXT + 4];
    char origins[CAMPAIGN_ORIGINS_MAX * (CAMPAIGN_ORIGIN_MAX + 3) + 4];
    char ttl[I64_TEXT];
    /* The money settings as parameters (NULL: SQL null). */
    const char *provider, *shown, *link, *ttl_or_null;
};

static void campaign_text(struct campaign_text *t, const struct campaign *c)
{
    st_i64text(t->goal, c->goal_minor);
    st_i64text(t->lo, c->min_custom_minor);
    st_i64text(t->hi, c->max_custom_minor);
    int_array(t->tiers, sizeof t->tiers, c->tiers, c->ntiers);
    origin_array(t->origins, sizeof t->origins, c);
    if (c->has_deadline)
        clock_format(t->deadline, c->deadline_us);
    t->provider = c->provider[0] ? c->provider : NULL;
    t->shown = c->show_collected ? "collected" : "raised";
    t->link = c->payment_link[0] ? c->payment_link : NULL;
    t->ttl_or_null = c->pledge_ttl_s ? st_i64text(t->ttl, c->pledge_ttl_s)
                                     : NULL;
}

int store_campaign_create(struct store *s, const struct campaign *c,
                          const struct idem *idem,
                          const struct admin_action *log, struct fault *f)
{
    int rc = st_ensure(s, f);
    if (rc)
        return rc;
    struct campaign_text t;
    campaign_text(&t, c);
    const char *params[15] = {c->id,
                              c->title,
                              c->currency,
                              t.goal,
                              t.tiers,
                              t.lo,
                              t.hi,
                              c->has_deadline ? t.deadline : NULL,
                              c->open ? "open" : "closed",
                              t.origins,
                              t.provider,
                              t.shown,
                              t.link,
                              t.ttl_or_null,
                              supporters_list_name(c->supporters)};
    PGresult *r = NULL;
    if ((rc = st_exec(s, "BEGIN", f)) != 0 ||
        (rc = st_record_key(s, idem, 201, "campaign", c->id, f)) != 0 ||
        (rc = st_run(&r, s, PGRES_COMMAND_OK,
                     "WITH c AS (INSERT INTO campaigns (id, title, currency, "
                     "goal_minor, tiers, min_custom_minor, max_custom_minor, "
                     "deadline, status, allowed_origins, provider, "
                     "shown_total, payment_link, pledge_ttl_s, "
                     "supporters_list) VALUES ($1, "
                     "$2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
                     "$14, $15) RETURNING id) "
                     "INSERT INTO campaign_totals (campaign_id) "
                     "SELECT id FROM c",
                     15, params, f)) != 0 ||
        (rc = st_log(s, log, f)) != 0)
        goto done;
    rc = st_commit(s, f);
done:
    PQclear(r);
    st_rollback(s);
    return rc;
}

int st_lock_head(struct totals *t, struct store *s, const char *campaign_id,
                 struct fault *f)
{
    const char *params[1] = {campaign_id};
    PGresult *r;
    int rc = st_run(&r, s, PGRES_TUPLES_OK,
                    "SELECT seq, raised_minor, supporters, head_hash, "
                    "collected_minor, tree_frontier "
                    "FROM campaign_totals WHERE campaign_id = $1 FOR UPDATE",
                    1, params, f);
    if (rc)
        return rc;
    if (PQntuples(r) == 0) {
        rc = fault_set(f, FAULT_NOT_FOUND, NULL, "no campaign %s", campaign_id);
    } else {
        t->seq = st_i64col(r, 0, 0);
        t->raised_minor = st_i64col(r, 0, 1);
        t->supporters = st_i64col(r, 0, 2);
        t->collected_minor = st_i64col(r, 0, 4);
        rc = st_unbytea(t->head_hash, PQgetvalue(r, 0, 3), f);
        if (rc == 0)
            rc = st_read_frontier(t, PQgetvalue(r, 0, 5), f);
    }
    PQclear(r);
    return rc;
}

int store_campaigns_list(struct store *s,
                         int (*fn)(void *ctx, const struct campaign *c,
                                   const struct totals *t),
                         void *ctx, struct fault *f)
{
    int rc = st_ensure(s, f);
    if (rc)
        return rc;
    PGresult *r;
    if ((rc = st_run(&r, s, PGRES_TUPLES_OK,
                     "SELECT " CAMPAIGN_COLUMNS " FROM campaigns c "
                     "JOIN campaign_totals t ON t.campaign_id = c.id "
                     "ORDER BY c.id",
                     0, NULL, f)) != 0)
        return rc;
    for (int i = 0; i < PQntuples(r) && rc == 0; i++) {
        struct campaign c;
        struct totals t;
        if ((rc = st_read_campaign(&c, &t, r, i, f)) == 0)
            rc = fn(ctx, &c, &t);
    }
    PQclear(r);
    return rc;
}

int store_campaign_update(struct store *s, const struct campaign *c,
                          const struct admin_action *log, struct fault *f)
{
    int rc = st_ensure(s, f);
    if (rc)
        return rc;
    struct campaign_text ct;
    campaign_text(&ct, c);
    const char *params[14] = {c->id,
                              c->title,
                              ct.goal,
                              ct.tiers,
                              ct.lo,
                              ct.hi,
                              c->has_deadline ? ct.deadline : NULL,
                              c->open ? "open" : "closed",
                              ct.origins,
                              ct.provider,
                              ct.shown,
                              ct.link,
                              ct.ttl_or_null,
                              supporters_list_name(c->supporters)};
    struct totals t;
    PGresult *r = NULL;
    if ((rc = st_exec(s, "BEGIN", f)) != 0 ||
        (rc = st_lock_head(&t, s, c->id, f)) != 0)
        goto done;
    if ((rc =
             st_run(&r, s, PGRES_COMMAND_OK,
                    "UPDATE campaigns SET title = $2, goal_minor = $3, "
                    "tiers = $4, min_custom_minor = $5, max_custom_minor = $6, "
                    "deadline = $7, status = $8, allowed_origins = $9, "
                    "provider = $10, shown_total = $11, payment_link = $12, "
                    "pledge_ttl_s = $13, supporters_list = $14, "
                    "version = version + 1 WHERE id = $1",
                    14, params, f)) != 0)
        goto done;
    PQclear(r);
    if ((rc = st_run(&r, s, PGRES_TUPLES_OK,
                     "SELECT pg_notify('" ST_TOTALS_CHANNEL "', $1)", 1, params,
                     f)) != 0 ||
        (rc = st_log(s, log, f)) != 0)
        goto done;
    rc = st_commit(s, f);
done:
    PQclear(r);
    st_rollback(s);
    return rc;
}
