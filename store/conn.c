/* The connection: connecting lazily, reconnecting after a loss, and
 * running statements, each prepared once per connection. */
#include "store/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int st_ensure(struct store *s, struct fault *f)
{
    if (s->conn && !s->reset && PQstatus(s->conn) == CONNECTION_OK &&
        PQtransactionStatus(s->conn) == PQTRANS_IDLE)
        return 0;
    if (s->conn)
        PQfinish(s->conn);
    s->reset = false;
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

int st_fail(struct store *s, PGresult *r, struct fault *f)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (PQstatus(s->conn) != CONNECTION_OK || state == NULL ||
        strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0 ||
        strcmp(state, "53300") == 0)
        return fault_set(f, FAULT_UNAVAILABLE, NULL, "database unavailable");
    /* read_only_sql_transaction: this host is (now) a standby; the next
     * st_ensure() finds the read-write one (target_session_attrs). */
    if (strcmp(state, "25006") == 0) {
        s->reset = true;
        return fault_set(f, FAULT_UNAVAILABLE, NULL,
                         "database read-only (failover in progress)");
    }
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

static bool prepare_on = true;

void store_prepare_statements(bool on)
{
    prepare_on = on;
}

/* Every statement is prepared once per connection, on first use, so that
 * repeated ones are parsed and planned once; with preparing off, each is
 * sent whole (an unnamed statement, which a transaction pooler allows). */
static PGresult *exec_prepared(struct store *s, const char *sql, int n,
                               const char *const *params)
{
    if (!prepare_on)
        return PQexecParams(s->conn, sql, n, NULL, params, NULL, NULL, 0);
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

int st_run(PGresult **out, struct store *s, ExecStatusType want,
           const char *sql, int n, const char *const *params, struct fault *f)
{
    PGresult *r = exec_prepared(s, sql, n, params);
    *out = NULL;
    if (PQresultStatus(r) == want) {
        *out = r;
        return 0;
    }
    int rc = st_fail(s, r, f);
    PQclear(r);
    return rc;
}

int st_run_one(PGresult **out, struct store *s, const char *sql,
               const char *key, const char *what, struct fault *f)
{
    *out = NULL;
    int rc = st_ensure(s, f);
    if (rc)
        return rc;
    const char *params[1] = {key};
    if ((rc = st_run(out, s, PGRES_TUPLES_OK, sql, 1, params, f)) != 0)
        return rc;
    if (PQntuples(*out) > 0)
        return 0;
    PQclear(*out);
    *out = NULL;
    return fault_set(f, FAULT_NOT_FOUND, NULL, "no %s %s", what, key);
}

int st_exec(struct store *s, const char *sql, struct fault *f)
{
    PGresult *r = PQexec(s->conn, sql);
    int rc = 0;
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        rc = st_fail(s, r, f);
    PQclear(r);
    return rc;
}

void st_rollback(struct store *s)
{
    if (s->conn && PQtransactionStatus(s->conn) != PQTRANS_IDLE)
        PQclear(PQexec(s->conn, "ROLLBACK"));
}

int st_commit(struct store *s, struct fault *f)
{
    PGresult *r = PQexec(s->conn, "COMMIT");
    int rc = 0;
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        rc = st_fail(s, r, f);
    PQclear(r);
    return rc;
}

int store_ping(struct store *s, struct fault *f)
{
    int rc = st_ensure(s, f);
    if (rc)
        return rc;
    PGresult *r;
    if ((rc = st_run(&r, s, PGRES_TUPLES_OK, "SELECT 1", 0, NULL, f)) != 0)
        return rc;
    PQclear(r);
    return 0;
}
