#include "core/store.h"

#include "core/buf.h"
#include "core/clock.h"
#include "core/money.h"

#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREPARED_MAX 96

struct store {
    char *conninfo;
    PGconn *conn;
    /* Statements prepared on this connection, by the address of their SQL
     * text (every statement is a string literal of this file). */
    const char *prepared[PREPARED_MAX];
    size_t nprepared;
    PGresult *row; /* the current row of an export in progress */
    bool exporting;
};

/* Hex text of a bytea parameter: "\x" + 64 hex digits + NUL. */
#define BYTEA32_HEX (2 + 64 + 1)

struct store *store_new(const char *conninfo)
{
    struct store *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->conninfo = strdup(conninfo ? conninfo : "");
    if (s->conninfo == NULL) {
        free(s);
        return NULL;
    }
    return s;
}

void store_free(struct store *s)
{
    if (s == NULL)
        return;
    store_export_close(s);
    if (s->conn)
        PQfinish(s->conn);
    free(s->conninfo);
    free(s);
}

static void notice_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Connects, or reconnects after a lost connection. */
static int ensure(struct store *s, struct fault *f)
{
    if (s->conn && PQstatus(s->conn) == CONNECTION_OK &&
        PQtransactionStatus(s->conn) == PQTRANS_IDLE)
        return 0;
    if (s->conn)
        PQfinish(s->conn);
    s->nprepared = 0;
    s->conn = PQconnectdb(s->conninfo);
    if (s->conn == NULL)
        return fault_set(f, FAULT_NOMEM, NULL, "out of memory");
    if (PQstatus(s->conn) != CONNECTION_OK) {
        fault_set(f, FAULT_UNAVAILABLE, NULL, "database unavailable");
        PQfinish(s->conn);
        s->conn = NULL;
        return FAULT_UNAVAILABLE;
    }
    PQsetNoticeProcessor(s->conn, notice_quiet, NULL);
    /* Custom plans: our statements take arrays whose sizes vary from one
     * batch to the next, and a generic plan measured slower for them. */
    PGresult *r = PQexec(s->conn, "SET synchronous_commit = on; "
                                  "SET TIME ZONE 'UTC'; "
                                  "SET plan_cache_mode = force_custom_plan");
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) {
        PQfinish(s->conn);
        s->conn = NULL;
        return fault_set(f, FAULT_UNAVAILABLE, NULL, "database unavailable");
    }
    return 0;
}

/* Maps a failed result to a fault. Connection-level failures become
 * FAULT_UNAVAILABLE; constraint violations FAULT_CONFLICT. */
static int fail_result(struct store *s, PGresult *r, struct fault *f)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (PQstatus(s->conn) != CONNECTION_OK || state == NULL ||
        strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0 ||
        strcmp(state, "53300") == 0)
        return fault_set(f, FAULT_UNAVAILABLE, NULL, "database unavailable");
    if (strcmp(state, "23505") == 0)
        return fault_set(f, FAULT_CONFLICT, NULL, "already exists");
    if (strcmp(state, "22003") == 0)
        return fault_set(f, FAULT_OVERFLOW, NULL, "amount out of range");
    /* Only names, never the message: it may quote values (a donor's, a
     * token's) and it is no client's business. */
    const char *table = PQresultErrorField(r, PG_DIAG_TABLE_NAME);
    const char *cons = PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME);
    return fault_set(f, FAULT_INTERNAL, NULL, "database error %s%s%s%s%s",
                     state, table ? " table " : "", table ? table : "",
                     cons ? " constraint " : "", cons ? cons : "");
}

/* Runs a parameterised statement into *out; returns 0, or a fault (and
 * *out = NULL) unless it returned `want`. The caller PQclear()s *out. */
/* Every statement is prepared once per connection, on first use, so that
 * repeated ones are parsed and planned once. */
static PGresult *exec_prepared(struct store *s, const char *sql, int n,
                               const char *const *params)
{
    size_t i = 0;
    while (i < s->nprepared && s->prepared[i] != sql)
        i++;
    char name[16];
    snprintf(name, sizeof name, "p%zu", i);
    if (i == s->nprepared) {
        if (i == PREPARED_MAX)
            return PQexecParams(s->conn, sql, n, NULL, params, NULL, NULL, 0);
        PGresult *r = PQprepare(s->conn, name, sql, n, NULL);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            return r; /* the error, reported like an execution error */
        PQclear(r);
        s->prepared[s->nprepared++] = sql;
    }
    return PQexecPrepared(s->conn, name, n, params, NULL, NULL, 0);
}

static int run(PGresult **out, struct store *s, ExecStatusType want,
               const char *sql, int n, const char *const *params,
               struct fault *f)
{
    PGresult *r = exec_prepared(s, sql, n, params);
    *out = NULL;
    if (PQresultStatus(r) == want) {
        *out = r;
        return 0;
    }
    int rc = fail_result(s, r, f);
    PQclear(r);
    return rc;
}

/* Runs a query with one parameter that should find one row: 0 and *out
 * (the caller PQclear()s it), FAULT_NOT_FOUND ("no <what> <key>"), or
 * another fault. Outside a transaction only (it may reconnect). */
static int run_one(PGresult **out, struct store *s, const char *sql,
                   const char *key, const char *what, struct fault *f)
{
    *out = NULL;
    int rc = ensure(s, f);
    if (rc)
        return rc;
    const char *params[1] = {key};
    if ((rc = run(out, s, PGRES_TUPLES_OK, sql, 1, params, f)) != 0)
        return rc;
    if (PQntuples(*out) > 0)
        return 0;
    PQclear(*out);
    *out = NULL;
    return fault_set(f, FAULT_NOT_FOUND, NULL, "no %s %s", what, key);
}

static int exec_simple(struct store *s, const char *sql, struct fault *f)
{
    PGresult *r = PQexec(s->conn, sql);
    int rc = 0;
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        rc = fail_result(s, r, f);
    PQclear(r);
    return rc;
}

static void rollback(struct store *s)
{
    if (PQtransactionStatus(s->conn) != PQTRANS_IDLE)
        PQclear(PQexec(s->conn, "ROLLBACK"));
}

static void hex32(char out[BYTEA32_HEX], const unsigned char h[32])
{
    static const char d[] = "0123456789abcdef";
    out[0] = '\\';
    out[1] = 'x';
    for (int i = 0; i < 32; i++) {
        out[2 + 2 * i] = d[h[i] >> 4];
        out[3 + 2 * i] = d[h[i] & 15];
    }
    out[BYTEA32_HEX - 1] = '\0';
}

static int nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Parses bytea output ("\x" + hex) of exactly 32 bytes. */
static int unhex32(unsigned char out[32], const char *text, struct fault *f)
{
    if (strlen(text) != BYTEA32_HEX - 1 || text[0] != '\\' || text[1] != 'x')
        return fault_set(f, FAULT_TAMPERED, NULL, "hash is not 32 bytes");
    for (int i = 0; i < 32; i++) {
        int hi = nibble(text[2 + 2 * i]), lo = nibble(text[3 + 2 * i]);
        if (hi < 0 || lo < 0)
            return fault_set(f, FAULT_TAMPERED, NULL, "hash is not hex");
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return 0;
}

static int64_t col_i64(PGresult *r, int row, int col)
{
    return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static void col_str(char *out, size_t n, PGresult *r, int row, int col)
{
    snprintf(out, n, "%s", PQgetvalue(r, row, col));
}

#define I64_TEXT 24

static const char *i64(char out[I64_TEXT], int64_t v)
{
    snprintf(out, I64_TEXT, "%lld", (long long)v);
    return out;
}

int store_ping(struct store *s, struct fault *f)
{
    int rc = ensure(s, f);
    if (rc)
        return rc;
    PGresult *r;
    if ((rc = run(&r, s, PGRES_TUPLES_OK, "SELECT 1", 0, NULL, f)) != 0)
        return rc;
    PQclear(r);
    return 0;
}

/* ---- migrations ------------------------------------------------------- */

#define MIGRATION_LOCK "SELECT pg_advisory_xact_lock(7375836)"

int store_migrate(struct store *s, const struct migration *m, size_t n,
                  int *applied, struct fault *f)
{
    int rc = ensure(s, f), count = 0;
    if (rc)
        return rc;
    rc = exec_simple(s,
                     "BEGIN; " MIGRATION_LOCK "; "
                     "CREATE TABLE IF NOT EXISTS schema_migrations ("
                     " name text PRIMARY KEY,"
                     " applied_at timestamptz NOT NULL DEFAULT now()); "
                     "COMMIT",
                     f);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const char *params[1] = {m[i].name};
        PGresult *r = NULL;
        if ((rc = exec_simple(s, "BEGIN; " MIGRATION_LOCK, f)) != 0)
            break;
        rc = run(&r, s, PGRES_TUPLES_OK,
                "SELECT 1 FROM schema_migrations WHERE name = $1", 1, params,
                f);
        if (rc)
            break;
        int done = PQntuples(r) > 0;
        PQclear(r);
        if (!done) {
            rc = exec_simple(s, m[i].sql, f);
            if (rc == 0)
                rc = run(&r, s, PGRES_COMMAND_OK,
                         "INSERT INTO schema_migrations (name) VALUES ($1)",
                         1, params, f);
            PQclear(r);
            if (rc) {
                fault_set(f, rc, NULL, "migration %s failed", m[i].name);
                break;
            }
            count++;
        }
        rc = exec_simple(s, "COMMIT", f);
    }
    rollback(s);
    if (applied)
        *applied = count;
    return rc;
}

/* ---- campaigns -------------------------------------------------------- */

#define CAMPAIGN_COLUMNS                                                     \
    "c.id, c.title, c.currency, c.goal_minor, array_to_json(c.tiers), "      \
    "c.min_custom_minor, c.max_custom_minor, "                               \
    "(extract(epoch from c.deadline) * 1000000)::bigint, c.status, "         \
    "array_to_json(c.allowed_origins), c.version, "                          \
    "t.seq, t.raised_minor, t.supporters, t.head_hash"

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

static int read_campaign(struct campaign *c, struct totals *t, PGresult *r,
                         int row, struct fault *f)
{
    campaign_defaults(c);
    col_str(c->id, sizeof c->id, r, row, 0);
    col_str(c->title, sizeof c->title, r, row, 1);
    col_str(c->currency, sizeof c->currency, r, row, 2);
    c->goal_minor = col_i64(r, row, 3);
    if (parse_tiers(c, PQgetvalue(r, row, 4)) != 0)
        return fault_set(f, FAULT_INTERNAL, NULL, "bad tiers in database");
    c->min_custom_minor = col_i64(r, row, 5);
    c->max_custom_minor = col_i64(r, row, 6);
    c->has_deadline = !PQgetisnull(r, row, 7);
    c->deadline_us = c->has_deadline ? col_i64(r, row, 7) : 0;
    c->open = strcmp(PQgetvalue(r, row, 8), "open") == 0;
    parse_origins(c, PQgetvalue(r, row, 9));
    c->version = col_i64(r, row, 10);
    if (t) {
        t->seq = col_i64(r, row, 11);
        t->raised_minor = col_i64(r, row, 12);
        t->supporters = col_i64(r, row, 13);
        return unhex32(t->head_hash, PQgetvalue(r, row, 14), f);
    }
    return 0;
}

int store_campaign_get(struct campaign *c, struct totals *t, struct store *s,
                       const char *id, struct fault *f)
{
    PGresult *r;
    int rc = run_one(&r, s,
                     "SELECT " CAMPAIGN_COLUMNS " FROM campaigns c "
                     "JOIN campaign_totals t ON t.campaign_id = c.id "
                     "WHERE c.id = $1",
                     id, "campaign", f);
    if (rc == 0)
        rc = read_campaign(c, t, r, 0, f);
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
};

static void campaign_text(struct campaign_text *t, const struct campaign *c)
{
    i64(t->goal, c->goal_minor);
    i64(t->lo, c->min_custom_minor);
    i64(t->hi, c->max_custom_minor);
    int_array(t->tiers, sizeof t->tiers, c->tiers, c->ntiers);
    origin_array(t->origins, sizeof t->origins, c);
    if (c->has_deadline)
        clock_format(t->deadline, c->deadline_us);
}

static int insert_campaign(struct store *s, const struct campaign *c,
                           struct fault *f)
{
    int rc;
    struct campaign_text t;
    campaign_text(&t, c);
    const char *params[10] = {
        c->id, c->title, c->currency, t.goal, t.tiers, t.lo, t.hi,
        c->has_deadline ? t.deadline : NULL, c->open ? "open" : "closed",
        t.origins};
    PGresult *r;
    rc = run(
        &r, s, PGRES_COMMAND_OK,
        "WITH c AS (INSERT INTO campaigns (id, title, currency, goal_minor, "
        "tiers, min_custom_minor, max_custom_minor, deadline, status, "
        "allowed_origins) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
        "RETURNING id) INSERT INTO campaign_totals (campaign_id) "
        "SELECT id FROM c",
        10, params, f);
    if (rc)
        return rc;
    PQclear(r);
    return 0;
}

int store_campaign_create(struct store *s, const struct campaign *c,
                          struct fault *f)
{
    int rc = ensure(s, f);
    return rc ? rc : insert_campaign(s, c, f);
}

static int record_key(struct store *s, const struct idem *idem, int status,
                      const char *resource, const char *id, struct fault *f);
static int commit(struct store *s, struct fault *f);

int store_campaign_create_keyed(struct store *s, const struct campaign *c,
                                const struct idem *idem, struct fault *f)
{
    int rc = ensure(s, f);
    if (rc == 0 && (rc = exec_simple(s, "BEGIN", f)) == 0 &&
        (rc = record_key(s, idem, 201, "campaign", c->id, f)) == 0 &&
        (rc = insert_campaign(s, c, f)) == 0)
        rc = commit(s, f);
    rollback(s);
    return rc;
}

/* ---- idempotency ------------------------------------------------------ */

int store_idem_get(struct idem_record *out, struct store *s, const char *key,
                   struct fault *f)
{
    int rc = ensure(s, f);
    if (rc)
        return rc;
    const char *params[1] = {key};
    PGresult *r;
    rc = run(&r, s, PGRES_TUPLES_OK,
                      "SELECT request_hash, status, resource, "
                      "coalesce(resource_id::text, resource_slug) "
                      "FROM idempotency_keys WHERE key = $1",
                      1, params, f);
    if (rc)
        return rc;
    rc = 0;
    if (PQntuples(r) == 1) {
        rc = unhex32(out->request_hash, PQgetvalue(r, 0, 0), f);
        out->status = (int)col_i64(r, 0, 1);
        col_str(out->resource, sizeof out->resource, r, 0, 2);
        col_str(out->resource_id, sizeof out->resource_id, r, 0, 3);
        if (rc == 0)
            rc = 1;
    }
    PQclear(r);
    return rc;
}

/* Records the key inside the caller's transaction. A concurrent holder of
 * the same key makes the INSERT wait for it; if it committed, nothing is
 * inserted (ON CONFLICT: no error quoting the key in Postgres's log) and
 * we report the key as taken. */
static int record_key(struct store *s, const struct idem *idem, int status,
                       const char *resource, const char *id, struct fault *f)
{
    if (idem == NULL)
        return 0;
    char hash[BYTEA32_HEX], st[I64_TEXT];
    hex32(hash, idem->request_hash);
    const char *params[5] = {idem->key, hash, i64(st, status), resource, id};
    PGresult *r;
    int rc = run(&r, s, PGRES_TUPLES_OK,
                 "INSERT INTO idempotency_keys (key, request_hash, "
                 "status, resource, resource_id, resource_slug) "
                 "VALUES ($1, $2, $3, $4, CASE WHEN $4 <> 'campaign' THEN "
                 "$5::text::uuid END, CASE WHEN $4 = 'campaign' THEN $5 END) "
                 "ON CONFLICT (key) DO NOTHING RETURNING key",
                 5, params, NULL);
    if (rc == 0 && PQntuples(r) == 0)
        rc = FAULT_CONFLICT;
    PQclear(r);
    if (rc == FAULT_CONFLICT)
        return fault_set(f, FAULT_IDEM_IN_FLIGHT, NULL,
                         "another request with this Idempotency-Key came "
                         "first");
    return rc ? fault_set(f, rc, NULL, "database unavailable") : 0;
}

/* ---- ledger appends --------------------------------------------------- */

/* The locked head of a campaign's chain. */
struct head {
    int64_t seq, raised_minor, supporters;
    unsigned char hash[32];
};

static int lock_head(struct head *h, struct store *s, const char *campaign_id,
                     struct fault *f)
{
    const char *params[1] = {campaign_id};
    PGresult *r;
    int rc = run(&r, s, PGRES_TUPLES_OK,
                 "SELECT seq, raised_minor, supporters, head_hash "
                 "FROM campaign_totals WHERE campaign_id = $1 FOR UPDATE",
                 1, params, f);
    if (rc)
        return rc;
    if (PQntuples(r) == 0) {
        rc = fault_set(f, FAULT_NOT_FOUND, NULL, "no campaign %s",
                       campaign_id);
    } else {
        h->seq = col_i64(r, 0, 0);
        h->raised_minor = col_i64(r, 0, 1);
        h->supporters = col_i64(r, 0, 2);
        rc = unhex32(h->hash, PQgetvalue(r, 0, 3), f);
    }
    PQclear(r);
    return rc;
}

/* Builds, hashes and inserts entry e (campaign, kind, pledge id, amount and
 * currency set) as the next after head h, then moves the totals. */
static int append_entry(struct ledger_entry *e, struct store *s,
                        const struct head *h, struct fault *f)
{
    int64_t raised, supporters = h->supporters + (e->kind == ENTRY_PLEDGE ? 1 : -1);
    if (money_add(&raised, h->raised_minor, e->amount_minor) != 0)
        return fault_set(f, FAULT_OVERFLOW, "amount_minor",
                         "the campaign total would overflow");
    int64_t now = clock_now_us();
    e->seq = h->seq + 1;
    clock_format(e->created_at, now);
    memcpy(e->prev_hash, h->hash, 32);
    int rc = ledger_hash(e->entry_hash, e, f);
    if (rc)
        return rc;

    char seq[I64_TEXT], amount[I64_TEXT], prev[BYTEA32_HEX],
        hash[BYTEA32_HEX], r1[I64_TEXT], r2[I64_TEXT];
    hex32(prev, e->prev_hash);
    hex32(hash, e->entry_hash);
    const char *params[9] = {e->campaign_id, i64(seq, e->seq),
                             ledger_kind_name(e->kind), e->pledge_id,
                             i64(amount, e->amount_minor), e->currency,
                             e->created_at, prev, hash};
    PGresult *r;
    rc = run(&r, s, PGRES_COMMAND_OK,
                      "INSERT INTO ledger_entries (campaign_id, seq, kind, "
                      "pledge_id, amount_minor, currency, created_at, "
                      "created_ts, prev_hash, entry_hash) VALUES ($1, $2, $3, "
                      "$4, $5, $6, $7::text, $7::text::timestamptz, $8, $9)",
                      9, params, f);
    if (rc)
        return rc;
    PQclear(r);
    const char *tparams[5] = {e->campaign_id, seq, i64(r1, raised),
                              i64(r2, supporters), hash};
    rc = run(&r, s, PGRES_COMMAND_OK,
            "UPDATE campaign_totals SET seq = $2, raised_minor = $3, "
            "supporters = $4, head_hash = $5 WHERE campaign_id = $1",
            5, tparams, f);
    if (rc)
        return rc;
    PQclear(r);
    return 0;
}

static int commit(struct store *s, struct fault *f)
{
    PGresult *r = PQexec(s->conn, "COMMIT");
    int rc = 0;
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        rc = fail_result(s, r, f);
    PQclear(r);
    return rc;
}

#define PLEDGE_COLUMNS                                                       \
    "p.id, p.campaign_id, p.amount_minor, p.currency, p.kind, "              \
    "coalesce(p.donor_name, ''), coalesce(p.donor_email, ''), p.anonymous, " \
    "coalesce(p.message, ''), p.seq, p.created_at, e.entry_hash"

static int read_pledge(struct pledge *p, PGresult *r, int row,
                       struct fault *f)
{
    memset(p, 0, sizeof *p);
    col_str(p->id, sizeof p->id, r, row, 0);
    col_str(p->campaign_id, sizeof p->campaign_id, r, row, 1);
    p->amount_minor = col_i64(r, row, 2);
    col_str(p->currency, sizeof p->currency, r, row, 3);
    p->kind = strcmp(PQgetvalue(r, row, 4), "tier") == 0 ? PLEDGE_TIER
                                                          : PLEDGE_CUSTOM;
    col_str(p->donor_name, sizeof p->donor_name, r, row, 5);
    col_str(p->donor_email, sizeof p->donor_email, r, row, 6);
    p->anonymous = PQgetvalue(r, row, 7)[0] == 't';
    col_str(p->message, sizeof p->message, r, row, 8);
    p->seq = col_i64(r, row, 9);
    col_str(p->created_at, sizeof p->created_at, r, row, 10);
    return unhex32(p->entry_hash, PQgetvalue(r, row, 11), f);
}

int store_pledge_get(struct pledge *p, struct store *s, const char *id,
                     struct fault *f)
{
    if (!uuid_valid(id))
        return fault_set(f, FAULT_NOT_FOUND, NULL, "no pledge %s", id);
    PGresult *r;
    int rc = run_one(&r, s,
                     "SELECT " PLEDGE_COLUMNS " FROM pledges p "
                     "JOIN ledger_entries e ON e.campaign_id = p.campaign_id "
                     "AND e.seq = p.seq WHERE p.id = $1",
                     id, "pledge", f);
    if (rc == 0)
        rc = read_pledge(p, r, 0, f);
    PQclear(r);
    return rc;
}

int store_refund_append(struct refund *rf, struct store *s,
                        const char *pledge_id, const struct idem *idem,
                        struct fault *f)
{
    int rc = ensure(s, f);
    if (rc)
        return rc;
    struct pledge *p = malloc(sizeof *p);
    struct head h;
    struct ledger_entry e;
    memset(&e, 0, sizeof e);
    PGresult *r = NULL;
    if (p == NULL)
        return fault_set(f, FAULT_NOMEM, NULL, "out of memory");
    if (store_refund_get(rf, s, pledge_id, NULL) == 0) {
        rc = fault_set(f, FAULT_CONFLICT, NULL,
                       "%s is a refund, and a refund cannot be refunded",
                       pledge_id);
        goto done;
    }
    if ((rc = store_pledge_get(p, s, pledge_id, f)) != 0)
        goto done;
    if ((rc = exec_simple(s, "BEGIN", f)) != 0 ||
        (rc = lock_head(&h, s, p->campaign_id, f)) != 0)
        goto done;
    const char *params[1] = {pledge_id};
    rc = run(&r, s, PGRES_TUPLES_OK, "SELECT 1 FROM refunds WHERE pledge_id = $1",
            1, params, f);
    if (rc)
        goto done;
    if (PQntuples(r) > 0) {
        rc = fault_set(f, FAULT_CONFLICT, NULL, "pledge %s is already refunded",
                       pledge_id);
        goto done;
    }
    PQclear(r);
    r = NULL;
    if ((rc = record_key(s, idem, 201, "refund", rf->id, f)) != 0)
        goto done;
    snprintf(e.campaign_id, sizeof e.campaign_id, "%s", p->campaign_id);
    e.kind = ENTRY_REFUND;
    memcpy(e.pledge_id, p->id, sizeof e.pledge_id);
    e.amount_minor = -p->amount_minor;
    memcpy(e.currency, p->currency, sizeof e.currency);
    if ((rc = append_entry(&e, s, &h, f)) != 0)
        goto done;
    char seq[I64_TEXT];
    const char *rparams[5] = {rf->id, p->id, p->campaign_id, i64(seq, e.seq),
                              e.created_at};
    rc = run(&r, s, PGRES_TUPLES_OK,
            "WITH i AS (INSERT INTO refunds (id, pledge_id, campaign_id, seq, "
            "created_at) VALUES ($1, $2, $3, $4, $5)) "
            "SELECT pg_notify('pledged_totals', $3)",
            5, rparams, f);
    if (rc)
        goto done;
    if ((rc = commit(s, f)) != 0)
        goto done;
    memcpy(rf->pledge_id, p->id, sizeof rf->pledge_id);
    memcpy(rf->campaign_id, p->campaign_id, sizeof rf->campaign_id);
    rf->amount_minor = e.amount_minor;
    memcpy(rf->currency, e.currency, sizeof rf->currency);
    rf->seq = e.seq;
    memcpy(rf->created_at, e.created_at, sizeof rf->created_at);
    memcpy(rf->entry_hash, e.entry_hash, sizeof rf->entry_hash);
done:
    PQclear(r);
    rollback(s);
    free(p);
    return rc;
}

int store_refund_get(struct refund *rf, struct store *s, const char *id,
                     struct fault *f)
{
    if (!uuid_valid(id))
        return fault_set(f, FAULT_NOT_FOUND, NULL, "no refund %s", id);
    PGresult *r;
    int rc = run_one(&r, s,
                     "SELECT r.id, r.pledge_id, r.campaign_id, "
                     "e.amount_minor, e.currency, r.seq, r.created_at, "
                     "e.entry_hash FROM refunds r JOIN ledger_entries e ON "
                     "e.campaign_id = r.campaign_id AND e.seq = r.seq "
                     "WHERE r.id = $1",
                     id, "refund", f);
    if (rc == 0) {
        memset(rf, 0, sizeof *rf);
        col_str(rf->id, sizeof rf->id, r, 0, 0);
        col_str(rf->pledge_id, sizeof rf->pledge_id, r, 0, 1);
        col_str(rf->campaign_id, sizeof rf->campaign_id, r, 0, 2);
        rf->amount_minor = col_i64(r, 0, 3);
        col_str(rf->currency, sizeof rf->currency, r, 0, 4);
        rf->seq = col_i64(r, 0, 5);
        col_str(rf->created_at, sizeof rf->created_at, r, 0, 6);
        rc = unhex32(rf->entry_hash, PQgetvalue(r, 0, 7), f);
    }
    PQclear(r);
    return rc;
}

/* ---- reading the ledger ----------------------------------------------- */

int store_ledger_walk(struct totals *t, struct store *s,
                      const char *campaign_id,
                      int (*fn)(void *ctx, const struct ledger_entry *e),
                      void *ctx, struct fault *f)
{
    int rc = ensure(s, f);
    if (rc)
        return rc;
    const char *params[1] = {campaign_id};
    PGresult *r = NULL;
    /* One snapshot for the totals and the walk. */
    if ((rc = exec_simple(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                          f)) != 0)
        goto done;
    rc = run(&r, s, PGRES_TUPLES_OK,
            "SELECT seq, raised_minor, supporters, head_hash "
            "FROM campaign_totals WHERE campaign_id = $1",
            1, params, f);
    if (rc)
        goto done;
    if (PQntuples(r) == 0) {
        rc = fault_set(f, FAULT_NOT_FOUND, NULL, "no campaign %s", campaign_id);
        goto done;
    }
    if (t) {
        t->seq = col_i64(r, 0, 0);
        t->raised_minor = col_i64(r, 0, 1);
        t->supporters = col_i64(r, 0, 2);
        if ((rc = unhex32(t->head_hash, PQgetvalue(r, 0, 3), f)) != 0)
            goto done;
    }
    PQclear(r);
    r = NULL;
    if (!PQsendQueryParams(s->conn,
                           "SELECT campaign_id, seq, kind, pledge_id, "
                           "amount_minor, currency, created_at, prev_hash, "
                           "entry_hash FROM ledger_entries "
                           "WHERE campaign_id = $1 ORDER BY seq",
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
            memset(&e, 0, sizeof e);
            col_str(e.campaign_id, sizeof e.campaign_id, r, 0, 0);
            e.seq = col_i64(r, 0, 1);
            e.kind = strcmp(PQgetvalue(r, 0, 2), "refund") == 0
                         ? ENTRY_REFUND
                         : ENTRY_PLEDGE;
            col_str(e.pledge_id, sizeof e.pledge_id, r, 0, 3);
            e.amount_minor = col_i64(r, 0, 4);
            col_str(e.currency, sizeof e.currency, r, 0, 5);
            col_str(e.created_at, sizeof e.created_at, r, 0, 6);
            if ((rc = unhex32(e.prev_hash, PQgetvalue(r, 0, 7), f)) == 0 &&
                (rc = unhex32(e.entry_hash, PQgetvalue(r, 0, 8), f)) == 0)
                rc = fn(ctx, &e);
        } else if (st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK &&
                   rc == 0) {
            rc = fail_result(s, r, f);
        }
        PQclear(r);
    }
    r = NULL;
    if (rc == 0)
        rc = commit(s, f);
done:
    PQclear(r);
    rollback(s);
    return rc;
}

/* ---- admin tokens ----------------------------------------------------- */

int store_token_add(struct store *s, const char *name,
                    const unsigned char hash[32], struct fault *f)
{
    int rc = ensure(s, f);
    if (rc)
        return rc;
    char h[BYTEA32_HEX];
    hex32(h, hash);
    const char *params[2] = {name, h};
    PGresult *r;
    rc = run(&r, s, PGRES_COMMAND_OK,
                      "INSERT INTO admin_tokens (name, token_hash) "
                      "VALUES ($1, $2)",
                      2, params, f);
    if (rc)
        return rc;
    PQclear(r);
    return 0;
}

/* ---- receipts and keys ------------------------------------------------ */

int store_receipt_get(struct signed_doc *out, struct store *s,
                      const char *subject_id, struct fault *f)
{
    PGresult *r;
    int rc = run_one(&r, s,
                     "SELECT body, signature FROM receipts "
                     "WHERE subject_id = $1",
                     subject_id, "receipt yet for", f);
    if (rc == 0) {
        out->body = strdup(PQgetvalue(r, 0, 0));
        col_str(out->signature, sizeof out->signature, r, 0, 1);
        if (out->body == NULL)
            rc = fault_set(f, FAULT_NOMEM, NULL, "out of memory");
    }
    PQclear(r);
    return rc;
}

int store_receipt_put(struct store *s, const char *subject_id,
                      const char *type, const struct signed_doc *d,
                      const char *kid, struct fault *f)
{
    int rc = ensure(s, f);
    if (rc)
        return rc;
    const char *params[5] = {subject_id, type, d->body, d->signature, kid};
    PGresult *r;
    rc = run(&r, s, PGRES_COMMAND_OK,
             "INSERT INTO receipts (subject_id, type, body, signature, kid) "
             "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (subject_id) DO NOTHING",
             5, params, f);
    PQclear(r);
    return rc;
}

int store_key_add(struct store *s, const char *kid, const unsigned char pk[32],
                  bool rotate, struct fault *f)
{
    int rc = ensure(s, f);
    if (rc)
        return rc;
    char hex[BYTEA32_HEX];
    hex32(hex, pk);
    const char *params[2] = {kid, hex};
    PGresult *r = NULL;
    if ((rc = exec_simple(s, "BEGIN", f)) != 0)
        goto done;
    if (rotate &&
        (rc = run(&r, s, PGRES_COMMAND_OK,
                  "UPDATE signing_keys SET retired_at = now() "
                  "WHERE retired_at IS NULL AND kid <> $1",
                  1, params, f)) != 0)
        goto done;
    PQclear(r);
    if ((rc = run(&r, s, PGRES_COMMAND_OK,
                  "INSERT INTO signing_keys (kid, public_key) "
                  "VALUES ($1, $2) ON CONFLICT (kid) DO NOTHING",
                  2, params, f)) != 0) {
        if (rc == FAULT_CONFLICT)
            fault_set(f, rc, NULL, "another key is current: use --rotate");
        goto done;
    }
    rc = commit(s, f);
done:
    PQclear(r);
    rollback(s);
    return rc;
}

int store_key_get(unsigned char pk[32], struct store *s, const char *kid,
                  struct fault *f)
{
    PGresult *r;
    int rc = run_one(&r, s,
                     "SELECT public_key FROM signing_keys WHERE kid = $1",
                     kid, "key", f);
    if (rc == 0)
        rc = unhex32(pk, PQgetvalue(r, 0, 0), f);
    PQclear(r);
    return rc;
}

int store_keys_list(struct store *s,
                    int (*fn)(void *ctx, const struct key_info *k), void *ctx,
                    struct fault *f)
{
    int rc = ensure(s, f);
    if (rc)
        return rc;
    PGresult *r;
    if ((rc = run(&r, s, PGRES_TUPLES_OK,
                  "SELECT kid, public_key, "
                  "to_char(created_at AT TIME ZONE 'UTC', "
                  "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
                  "coalesce(to_char(retired_at AT TIME ZONE 'UTC', "
                  "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), '') "
                  "FROM signing_keys ORDER BY created_at, kid",
                  0, NULL, f)) != 0)
        return rc;
    for (int i = 0; i < PQntuples(r) && rc == 0; i++) {
        struct key_info k;
        col_str(k.kid, sizeof k.kid, r, i, 0);
        col_str(k.created_at, sizeof k.created_at, r, i, 2);
        col_str(k.retired_at, sizeof k.retired_at, r, i, 3);
        if ((rc = unhex32(k.public_key, PQgetvalue(r, i, 1), f)) == 0)
            rc = fn(ctx, &k);
    }
    PQclear(r);
    return rc;
}

int store_campaigns_list(struct store *s,
                         int (*fn)(void *ctx, const struct campaign *c,
                                   const struct totals *t),
                         void *ctx, struct fault *f)
{
    int rc = ensure(s, f);
    if (rc)
        return rc;
    PGresult *r;
    if ((rc = run(&r, s, PGRES_TUPLES_OK,
                  "SELECT " CAMPAIGN_COLUMNS " FROM campaigns c "
                  "JOIN campaign_totals t ON t.campaign_id = c.id "
                  "ORDER BY c.id",
                  0, NULL, f)) != 0)
        return rc;
    for (int i = 0; i < PQntuples(r) && rc == 0; i++) {
        struct campaign c;
        struct totals t;
        if ((rc = read_campaign(&c, &t, r, i, f)) == 0)
            rc = fn(ctx, &c, &t);
    }
    PQclear(r);
    return rc;
}

int store_token_find(char name[65], struct store *s,
                     const unsigned char hash[32], struct fault *f)
{
    char h[BYTEA32_HEX];
    hex32(h, hash);
    PGresult *r;
    int rc = run_one(&r, s,
                     "SELECT name FROM admin_tokens WHERE token_hash = $1 "
                     "AND revoked_at IS NULL",
                     h, "live token with hash", f);
    if (rc == 0)
        col_str(name, 65, r, 0, 0);
    PQclear(r);
    return rc;
}

/* ---- admin ------------------------------------------------------------ */

int store_campaign_update(struct store *s, const struct campaign *c,
                          struct fault *f)
{
    int rc = ensure(s, f);
    if (rc)
        return rc;
    struct campaign_text ct;
    campaign_text(&ct, c);
    const char *params[9] = {
        c->id, c->title, ct.goal, ct.tiers, ct.lo, ct.hi,
        c->has_deadline ? ct.deadline : NULL, c->open ? "open" : "closed",
        ct.origins};
    struct head h;
    PGresult *r = NULL;
    if ((rc = exec_simple(s, "BEGIN", f)) != 0 ||
        (rc = lock_head(&h, s, c->id, f)) != 0)
        goto done;
    if ((rc = run(&r, s, PGRES_COMMAND_OK,
                  "UPDATE campaigns SET title = $2, goal_minor = $3, "
                  "tiers = $4, min_custom_minor = $5, max_custom_minor = $6, "
                  "deadline = $7, status = $8, allowed_origins = $9, "
                  "version = version + 1 WHERE id = $1",
                  9, params, f)) != 0)
        goto done;
    PQclear(r);
    if ((rc = run(&r, s, PGRES_TUPLES_OK,
                  "SELECT pg_notify('pledged_totals', $1)", 1, params, f)) !=
        0)
        goto done;
    rc = commit(s, f);
done:
    PQclear(r);
    rollback(s);
    return rc;
}

int store_pledges_page(struct store *s, const char *campaign_id,
                       int64_t before, int limit,
                       int (*fn)(void *ctx, const struct pledge_row *p),
                       void *ctx, struct fault *f)
{
    int rc = ensure(s, f);
    if (rc)
        return rc;
    char b[I64_TEXT], l[I64_TEXT];
    const char *params[3] = {campaign_id, i64(b, before), i64(l, limit)};
    PGresult *r;
    if ((rc = run(&r, s, PGRES_TUPLES_OK,
                  "SELECT " PLEDGE_COLUMNS ", rf.id IS NOT NULL "
                  "FROM pledges p JOIN ledger_entries e ON "
                  "e.campaign_id = p.campaign_id AND e.seq = p.seq "
                  "LEFT JOIN refunds rf ON rf.pledge_id = p.id "
                  "WHERE p.campaign_id = $1 AND ($2::bigint = 0 OR p.seq < $2) "
                  "ORDER BY p.seq DESC LIMIT $3",
                  3, params, f)) != 0)
        return rc;
    struct pledge_row *row = malloc(sizeof *row);
    if (row == NULL)
        rc = fault_set(f, FAULT_NOMEM, NULL, "out of memory");
    for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
        if ((rc = read_pledge(&row->pledge, r, i, f)) != 0)
            break;
        row->refunded = PQgetvalue(r, i, 12)[0] == 't';
        rc = fn(ctx, row);
    }
    free(row);
    PQclear(r);
    return rc;
}

int store_receipts_walk(struct store *s, const char *campaign_id,
                        int (*fn)(void *ctx, const struct receipt_row *r),
                        void *ctx, struct fault *f)
{
    int rc = ensure(s, f);
    if (rc)
        return rc;
    const char *params[1] = {campaign_id};
    PGresult *r;
    if ((rc = run(&r, s, PGRES_TUPLES_OK,
                  "SELECT r.subject_id, r.body, r.signature, k.public_key, "
                  "e.entry_hash, e.amount_minor FROM receipts r "
                  "JOIN signing_keys k ON k.kid = r.kid "
                  "LEFT JOIN ledger_entries e ON e.campaign_id = $1 AND "
                  "e.seq = (r.body::json->>'seq')::bigint "
                  "WHERE r.body::json->>'campaign_id' = $1 "
                  "ORDER BY (r.body::json->>'seq')::bigint",
                  1, params, f)) != 0)
        return rc;
    for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
        struct receipt_row row = {
            .subject_id = PQgetvalue(r, i, 0),
            .body = PQgetvalue(r, i, 1),
            .signature = PQgetvalue(r, i, 2),
            .has_entry = !PQgetisnull(r, i, 4),
        };
        if ((rc = unhex32(row.public_key, PQgetvalue(r, i, 3), f)) != 0)
            break;
        if (row.has_entry) {
            unsigned char h[32];
            if ((rc = unhex32(h, PQgetvalue(r, i, 4), f)) != 0)
                break;
            for (int k = 0; k < 32; k++)
                snprintf(row.entry_hash_hex + 2 * k, 3, "%02x", h[k]);
            row.entry_amount = col_i64(r, i, 5);
        }
        rc = fn(ctx, &row);
    }
    PQclear(r);
    return rc;
}

int store_admin_log(struct store *s, const char *who, const char *action,
                    const char *target, const char *detail, struct fault *f)
{
    int rc = ensure(s, f);
    if (rc)
        return rc;
    const char *params[4] = {who, action, target, detail ? detail : ""};
    PGresult *r;
    rc = run(&r, s, PGRES_COMMAND_OK,
             "INSERT INTO admin_log (token_name, action, target, detail) "
             "VALUES ($1, $2, $3, $4)",
             4, params, f);
    PQclear(r);
    return rc;
}

int store_tokens_list(struct store *s,
                      int (*fn)(void *ctx, const struct token_info *t),
                      void *ctx, struct fault *f)
{
    int rc = ensure(s, f);
    if (rc)
        return rc;
    PGresult *r;
    if ((rc = run(&r, s, PGRES_TUPLES_OK,
                  "SELECT name, to_char(created_at AT TIME ZONE 'UTC', "
                  "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
                  "coalesce(to_char(revoked_at AT TIME ZONE 'UTC', "
                  "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), '') "
                  "FROM admin_tokens ORDER BY name",
                  0, NULL, f)) != 0)
        return rc;
    for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
        struct token_info t;
        col_str(t.name, sizeof t.name, r, i, 0);
        col_str(t.created_at, sizeof t.created_at, r, i, 1);
        col_str(t.revoked_at, sizeof t.revoked_at, r, i, 2);
        rc = fn(ctx, &t);
    }
    PQclear(r);
    return rc;
}

int store_token_revoke(struct store *s, const char *name, struct fault *f)
{
    int rc = ensure(s, f);
    if (rc)
        return rc;
    const char *params[1] = {name};
    PGresult *r;
    if ((rc = run(&r, s, PGRES_COMMAND_OK,
                  "UPDATE admin_tokens SET revoked_at = now() "
                  "WHERE name = $1 AND revoked_at IS NULL",
                  1, params, f)) != 0)
        return rc;
    if (strcmp(PQcmdTuples(r), "1") != 0)
        rc = fault_set(f, FAULT_NOT_FOUND, NULL, "no live token %s", name);
    PQclear(r);
    return rc;
}

/* ---- exports ---------------------------------------------------------- */

int store_head_seq(int64_t *seq, struct store *s, const char *campaign_id,
                   struct fault *f)
{
    PGresult *r;
    int rc = run_one(&r, s,
                     "SELECT seq FROM campaign_totals WHERE campaign_id = $1",
                     campaign_id, "campaign", f);
    if (rc == 0)
        *seq = col_i64(r, 0, 0);
    PQclear(r);
    return rc;
}

int store_export_open(struct store *s, const char *campaign_id,
                      int64_t until_seq, bool has_from, int64_t from_us,
                      bool has_to, int64_t to_us, struct fault *f)
{
    int rc = ensure(s, f);
    if (rc)
        return rc;
    char until[I64_TEXT], from[CLOCK_RFC3339_LEN], to[CLOCK_RFC3339_LEN];
    if (has_from)
        clock_format(from, from_us);
    if (has_to)
        clock_format(to, to_us);
    const char *params[4] = {campaign_id, i64(until, until_seq),
                             has_from ? from : NULL, has_to ? to : NULL};
    if (!PQsendQueryParams(
            s->conn,
            "SELECT e.campaign_id, e.seq, e.kind, e.pledge_id, "
            "e.amount_minor, e.currency, e.created_at, e.prev_hash, "
            "e.entry_hash, coalesce(p.donor_name, ''), "
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

int store_export_next(struct export_row *row, struct store *s,
                      struct fault *f)
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
        int rc = fail_result(s, r, f);
        PQclear(r);
        store_export_close(s);
        return rc;
    }
    s->row = r;
    struct ledger_entry *e = &row->entry;
    memset(e, 0, sizeof *e);
    col_str(e->campaign_id, sizeof e->campaign_id, r, 0, 0);
    e->seq = col_i64(r, 0, 1);
    e->kind = strcmp(PQgetvalue(r, 0, 2), "refund") == 0 ? ENTRY_REFUND
                                                          : ENTRY_PLEDGE;
    col_str(e->pledge_id, sizeof e->pledge_id, r, 0, 3);
    e->amount_minor = col_i64(r, 0, 4);
    col_str(e->currency, sizeof e->currency, r, 0, 5);
    col_str(e->created_at, sizeof e->created_at, r, 0, 6);
    row->donor_name = PQgetvalue(r, 0, 9);
    row->donor_email = PQgetvalue(r, 0, 10);
    row->message = PQgetvalue(r, 0, 11);
    row->anonymous = PQgetvalue(r, 0, 12)[0] == 't';
    int rc;
    if ((rc = unhex32(e->prev_hash, PQgetvalue(r, 0, 7), f)) != 0 ||
        (rc = unhex32(e->entry_hash, PQgetvalue(r, 0, 8), f)) != 0) {
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

/* ---- batched pledges -------------------------------------------------- */

/* Postgres array literals, built as text parameters. Every element is
 * quoted, with '"' and '\\' escaped; NULL elements are unquoted NULL. */
static void arr_open(struct buf *b) { buf_putc(b, '{'); }

static void arr_sep(struct buf *b)
{
    if (b->len > 1)
        buf_putc(b, ',');
}

static void arr_text(struct buf *b, const char *v)
{
    arr_sep(b);
    if (v == NULL) {
        buf_puts(b, "NULL");
        return;
    }
    buf_putc(b, '"');
    for (const char *p = v; *p; p++) {
        if (*p == '"' || *p == '\\')
            buf_putc(b, '\\');
        buf_putc(b, *p);
    }
    buf_putc(b, '"');
}

static void arr_i64(struct buf *b, int64_t v)
{
    arr_sep(b);
    buf_printf(b, "%lld", (long long)v);
}

static void arr_bytea(struct buf *b, const unsigned char h[32])
{
    arr_sep(b);
    buf_puts(b, "\"\\\\x");
    buf_hex(b, h, 32);
    buf_putc(b, '"');
}

static void arr_close(struct buf *b) { buf_putc(b, '}'); }

/* The locked head of one campaign in a batch. */
struct batch_head {
    struct campaign c;
    struct head h;
    int64_t admitted; /* raised_minor with the items admitted so far */
    bool touched;
};

static int lock_heads(struct batch_head **out, size_t *nout, struct store *s,
                      struct batch_item *items, size_t n, struct fault *f)
{
    struct buf ids;
    buf_init(&ids);
    arr_open(&ids);
    for (size_t i = 0; i < n; i++)
        if (items[i].rc == 0 && !items[i].replayed)
            arr_text(&ids, items[i].pledge.campaign_id);
    arr_close(&ids);
    const char *params[1] = {ids.data};
    PGresult *r;
    int rc = run(&r, s, PGRES_TUPLES_OK,
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
    for (size_t i = 0; rc == 0 && i < m; i++) {
        struct totals t;
        rc = read_campaign(&heads[i].c, &t, r, (int)i, f);
        heads[i].h = (struct head){.seq = t.seq,
                                   .raised_minor = t.raised_minor,
                                   .supporters = t.supporters};
        heads[i].admitted = t.raised_minor;
        memcpy(heads[i].h.hash, t.head_hash, 32);
    }
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
    arr_open(&keys);
    size_t nkeys = 0;
    for (size_t i = 0; i < n; i++) {
        if (items[i].idem == NULL)
            continue;
        for (size_t j = 0; j < i && !items[i].replayed; j++)
            items[i].replayed = items[j].idem &&
                                strcmp(items[j].idem->key,
                                       items[i].idem->key) == 0;
        arr_text(&keys, items[i].idem->key);
        nkeys++;
    }
    arr_close(&keys);
    int rc = 0;
    if (nkeys > 0) {
        const char *params[1] = {keys.data};
        PGresult *r;
        rc = run(&r, s, PGRES_TUPLES_OK,
                 "SELECT key FROM idempotency_keys WHERE key = ANY($1::text[])",
                 1, params, f);
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
        arr_open(&a[k]);
    }
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        if (items[i].rc || items[i].replayed || items[i].idem == NULL)
            continue;
        arr_text(&a[0], items[i].idem->key);
        arr_bytea(&a[1], items[i].idem->request_hash);
        arr_text(&a[2], items[i].pledge.id);
        count++;
    }
    for (int k = 0; k < 3; k++)
        arr_close(&a[k]);
    int rc = 0;
    if (count > 0) {
        const char *params[3] = {a[0].data, a[1].data, a[2].data};
        PGresult *r;
        rc = run(&r, s, PGRES_TUPLES_OK,
                 "INSERT INTO idempotency_keys (key, request_hash, status, "
                 "resource, resource_id) SELECT k, h, 201, 'pledge', id FROM "
                 "unnest($1::text[], $2::bytea[], $3::uuid[]) AS u(k, h, id) "
                 "ON CONFLICT (key) DO NOTHING RETURNING key",
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
                       struct batch_head *heads, size_t nheads,
                       struct fault *f)
{
    struct buf e[9], p[5], t[5]; /* columns of entries, pledges, totals */
    struct buf *all[19];
    size_t na = 0;
    for (int k = 0; k < 9; k++)
        all[na++] = &e[k];
    for (int k = 0; k < 5; k++)
        all[na++] = &p[k];
    for (int k = 0; k < 5; k++)
        all[na++] = &t[k];
    for (size_t k = 0; k < na; k++) {
        buf_init(all[k]);
        arr_open(all[k]);
    }
    int rc = 0;
    size_t count = 0;
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
        le.seq = bh->h.seq + 1;
        clock_format(le.created_at, clock_now_us());
        memcpy(le.prev_hash, bh->h.hash, 32);
        if (money_add(&bh->h.raised_minor, bh->h.raised_minor,
                      pl->amount_minor) != 0) { /* admitted: cannot be */
            rc = fault_set(f, FAULT_INTERNAL, NULL, "total overflow");
            break;
        }
        if ((rc = ledger_hash(le.entry_hash, &le, f)) != 0)
            break;
        bh->h.seq = le.seq;
        bh->h.supporters++;
        memcpy(bh->h.hash, le.entry_hash, 32);
        bh->touched = true;
        pl->seq = le.seq;
        memcpy(pl->created_at, le.created_at, sizeof pl->created_at);
        memcpy(pl->entry_hash, le.entry_hash, 32);

        arr_text(&e[0], le.campaign_id);
        arr_i64(&e[1], le.seq);
        arr_text(&e[2], "pledge");
        arr_text(&e[3], le.pledge_id);
        arr_i64(&e[4], le.amount_minor);
        arr_text(&e[5], le.currency);
        arr_text(&e[6], le.created_at);
        arr_bytea(&e[7], le.prev_hash);
        arr_bytea(&e[8], le.entry_hash);
        arr_text(&p[0], pledge_kind_name(pl->kind));
        arr_text(&p[1], pl->donor_name[0] ? pl->donor_name : NULL);
        arr_text(&p[2], pl->donor_email[0] ? pl->donor_email : NULL);
        arr_text(&p[3], pl->anonymous ? "true" : "false");
        arr_text(&p[4], pl->message[0] ? pl->message : NULL);
        count++;
    }
    for (size_t k = 0; k < nheads; k++) {
        if (!heads[k].touched)
            continue;
        arr_text(&t[0], heads[k].c.id);
        arr_i64(&t[1], heads[k].h.seq);
        arr_i64(&t[2], heads[k].h.raised_minor);
        arr_i64(&t[3], heads[k].h.supporters);
        arr_bytea(&t[4], heads[k].h.hash);
    }
    for (size_t k = 0; k < na; k++)
        arr_close(all[k]);
    for (size_t k = 0; k < na && rc == 0; k++)
        if (buf_failed(all[k]))
            rc = fault_set(f, FAULT_NOMEM, NULL, "out of memory");
    PGresult *r = NULL;
    if (rc == 0 && count > 0) {
        const char *ep[9] = {e[0].data, e[1].data, e[2].data,
                             e[3].data, e[4].data, e[5].data,
                             e[6].data, e[7].data, e[8].data};
        rc = run(&r, s, PGRES_COMMAND_OK,
                 "INSERT INTO ledger_entries (campaign_id, seq, kind, "
                 "pledge_id, amount_minor, currency, created_at, created_ts, "
                 "prev_hash, entry_hash) SELECT c, q, k, id, a, cur, ts, "
                 "ts::timestamptz, ph, eh FROM unnest($1::text[], "
                 "$2::bigint[], $3::text[], $4::uuid[], $5::bigint[], "
                 "$6::text[], $7::text[], $8::bytea[], $9::bytea[]) WITH "
                 "ORDINALITY AS u(c, q, k, id, a, cur, ts, ph, eh, o) "
                 "ORDER BY o",
                 9, ep, f);
        PQclear(r);
    }
    if (rc == 0 && count > 0) {
        const char *pp[11] = {e[3].data, e[0].data, e[1].data, e[4].data,
                              e[5].data, p[0].data, p[1].data, p[2].data,
                              p[3].data, p[4].data, e[6].data};
        rc = run(&r, s, PGRES_COMMAND_OK,
                 "INSERT INTO pledges (id, campaign_id, seq, amount_minor, "
                 "currency, kind, donor_name, donor_email, anonymous, "
                 "message, created_at) SELECT * FROM unnest($1::uuid[], "
                 "$2::text[], $3::bigint[], $4::bigint[], $5::text[], "
                 "$6::text[], $7::text[], $8::text[], $9::boolean[], "
                 "$10::text[], $11::text[])",
                 11, pp, f);
        PQclear(r);
    }
    if (rc == 0 && count > 0) {
        const char *tp[5] = {t[0].data, t[1].data, t[2].data, t[3].data,
                             t[4].data};
        rc = run(&r, s, PGRES_TUPLES_OK,
                 "WITH v AS (SELECT * FROM unnest($1::text[], $2::bigint[], "
                 "$3::bigint[], $4::bigint[], $5::bytea[]) AS v(id, q, r, "
                 "n, h)), u AS (UPDATE campaign_totals t SET seq = v.q, "
                 "raised_minor = v.r, supporters = v.n, head_hash = v.h "
                 "FROM v WHERE t.campaign_id = v.id RETURNING t.campaign_id) "
                 "SELECT pg_notify('pledged_totals', campaign_id) FROM u",
                 5, tp, f);
        PQclear(r);
    }
    for (size_t k = 0; k < na; k++)
        buf_release(all[k]);
    return rc;
}

/* After the commit: what each replayed key made before. */
static void resolve_replay(struct store *s, struct batch_item *it)
{
    struct idem_record rec;
    int rc = store_idem_get(&rec, s, it->idem->key, &it->fault);
    if (rc == 1 && (strcmp(rec.resource, "pledge") != 0 ||
                    memcmp(rec.request_hash, it->idem->request_hash, 32)))
        rc = fault_set(&it->fault, FAULT_IDEM_REUSED, NULL,
                       "this Idempotency-Key was used for another request");
    else if (rc == 1)
        rc = store_pledge_get(&it->pledge, s, rec.resource_id, &it->fault);
    else if (rc == 0) /* its first request did not commit after all */
        rc = fault_set(&it->fault, FAULT_IDEM_IN_FLIGHT, NULL,
                       "a request with this Idempotency-Key is in flight");
    it->rc = rc;
}

static int batch_once(struct store *s, struct batch_item *items, size_t n,
                      batch_check_fn *check, void *ctx, struct fault *f);

/* Tries of a batch that lost a race for an idempotency key. */
#define BATCH_TRIES 3

int store_pledge_batch(struct store *s, struct batch_item *items, size_t n,
                       batch_check_fn *check, void *ctx, struct fault *f)
{
    int rc = FAULT_CONFLICT;
    for (int attempt = 0; rc == FAULT_CONFLICT && attempt < BATCH_TRIES;
         attempt++) {
        struct fault local = {0};
        rc = batch_once(s, items, n, check, ctx, &local);
        if (rc && (rc != FAULT_CONFLICT || attempt == BATCH_TRIES - 1))
            fault_set(f, rc == FAULT_CONFLICT ? FAULT_IDEM_IN_FLIGHT : rc,
                      local.field, "%s", local.message);
    }
    return rc == FAULT_CONFLICT ? FAULT_IDEM_IN_FLIGHT : rc;
}

static int batch_once(struct store *s, struct batch_item *items, size_t n,
                      batch_check_fn *check, void *ctx, struct fault *f)
{
    int rc = ensure(s, f);
    if (rc)
        return rc;
    struct batch_head *heads = NULL;
    size_t nheads = 0;
    for (size_t i = 0; i < n; i++) {
        items[i].rc = 0;
        items[i].replayed = false;
        memset(&items[i].fault, 0, sizeof items[i].fault);
    }
    if ((rc = exec_simple(s, "BEGIN", f)) != 0 ||
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
        /* A pledge the total cannot take is refused alone (before its
         * key is recorded); the rest of the batch goes on. */
        if (it->rc == 0)
            it->rc = money_total_add(&bh->admitted, it->pledge.amount_minor,
                                     &it->fault);
    }
    if ((rc = record_keys(s, items, n, f)) != 0 ||
        (rc = write_batch(s, items, n, heads, nheads, f)) != 0 ||
        (rc = commit(s, f)) != 0)
        goto done;
    for (size_t i = 0; i < n; i++)
        if (items[i].replayed)
            resolve_replay(s, &items[i]);
done:
    rollback(s);
    free(heads);
    return rc;
}

int store_receipts_put(bool *stored, struct store *s, const char *const *ids,
                       const struct signed_doc *docs, size_t n,
                       const char *type, const char *kid, struct fault *f)
{
    int rc = ensure(s, f);
    if (rc)
        return rc;
    struct buf a[3];
    for (int k = 0; k < 3; k++) {
        buf_init(&a[k]);
        arr_open(&a[k]);
    }
    for (size_t i = 0; i < n; i++) {
        arr_text(&a[0], ids[i]);
        arr_text(&a[1], docs[i].body);
        arr_text(&a[2], docs[i].signature);
        stored[i] = false;
    }
    for (int k = 0; k < 3; k++)
        arr_close(&a[k]);
    const char *params[5] = {a[0].data, a[1].data, a[2].data, type, kid};
    PGresult *r = NULL;
    if (buf_failed(&a[0]) || buf_failed(&a[1]) || buf_failed(&a[2]))
        rc = fault_set(f, FAULT_NOMEM, NULL, "out of memory");
    else if ((rc = exec_simple(s, "BEGIN; SET LOCAL synchronous_commit = off",
                               f)) == 0)
        rc = run(&r, s, PGRES_TUPLES_OK,
                 "INSERT INTO receipts (subject_id, type, body, signature, "
                 "kid) SELECT id, $4, b, sg, $5 FROM unnest($1::uuid[], "
                 "$2::text[], $3::text[]) AS u(id, b, sg) "
                 "ON CONFLICT (subject_id) DO NOTHING RETURNING subject_id",
                 5, params, f);
    for (int k = 0; rc == 0 && k < PQntuples(r); k++)
        for (size_t i = 0; i < n; i++)
            if (strcmp(PQgetvalue(r, k, 0), ids[i]) == 0)
                stored[i] = true;
    PQclear(r);
    if (rc == 0)
        rc = commit(s, f);
    rollback(s);
    for (int k = 0; k < 3; k++)
        buf_release(&a[k]);
    return rc;
}

/* ---- notifications ---------------------------------------------------- */

int store_listen(struct store *s, const char *channel, struct fault *f)
{
    int rc = ensure(s, f);
    if (rc)
        return rc;
    char *ident = PQescapeIdentifier(s->conn, channel, strlen(channel));
    if (ident == NULL)
        return fault_set(f, FAULT_NOMEM, NULL, "out of memory");
    char sql[128];
    snprintf(sql, sizeof sql, "LISTEN %s", ident);
    PQfreemem(ident);
    return exec_simple(s, sql, f);
}

int store_notifications(struct store *s, int timeout_ms,
                        void (*fn)(void *ctx, const char *payload), void *ctx,
                        struct fault *f)
{
    if (s->conn == NULL || PQstatus(s->conn) != CONNECTION_OK)
        return fault_set(f, FAULT_UNAVAILABLE, NULL, "listener disconnected");
    struct pollfd pfd = {.fd = PQsocket(s->conn), .events = POLLIN};
    if (poll(&pfd, 1, timeout_ms) < 0)
        return 0;
    if (!PQconsumeInput(s->conn) || PQstatus(s->conn) != CONNECTION_OK)
        return fault_set(f, FAULT_UNAVAILABLE, NULL, "listener disconnected");
    PGnotify *n;
    while ((n = PQnotifies(s->conn)) != NULL) {
        fn(ctx, n->extra);
        PQfreemem(n);
    }
    return 0;
}
