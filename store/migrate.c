/* Migrations: each applied once, in order, under an advisory lock. */
#include "store/internal.h"

#include <stdio.h>
#include <string.h>

#define MIGRATION_LOCK "SELECT pg_advisory_xact_lock(7375836)"

int store_migrate(struct store *s, const struct migration *m, size_t n,
                  int *applied, struct fault *f)
{
    int rc = st_ensure(s, f), count = 0;
    if (rc)
        return rc;
    rc = st_exec(s,
                 "BEGIN; " MIGRATION_LOCK "; "
                 "CREATE TABLE IF NOT EXISTS schema_migrations ("
                 " name text PRIMARY KEY,"
                 " applied_at timestamptz NOT NULL DEFAULT now()); "
                 "COMMIT",
                 f);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const char *params[1] = {m[i].name};
        PGresult *r = NULL;
        if ((rc = st_exec(s, "BEGIN; " MIGRATION_LOCK, f)) != 0)
            break;
        rc = st_run(&r, s, PGRES_TUPLES_OK,
                    "SELECT 1 FROM schema_migrations WHERE name = $1", 1,
                    params, f);
        if (rc)
            break;
        int done = PQntuples(r) > 0;
        PQclear(r);
        r = NULL; /* a failing migration below must not clear it again */
        if (!done) {
            rc = st_exec(s, m[i].sql, f);
            st_migration_step *step = st_migration_step_of(m[i].name);
            if (rc == 0 && step)
                rc = step(s, f);
            if (rc == 0)
                rc = st_run(&r, s, PGRES_COMMAND_OK,
                            "INSERT INTO schema_migrations (name) VALUES ($1)",
                            1, params, f);
            PQclear(r);
            if (rc) {
                /* The operator's own schema, never donors' values: the
                 * server's words are safe to show here, and needed. */
                char why[160];
                snprintf(why, sizeof why, "%s", PQerrorMessage(s->conn));
                why[strcspn(why, "\n")] = '\0';
                fault_context(f, "migration %s failed (%s)", m[i].name, why);
                break;
            }
            count++;
        }
        rc = st_exec(s, "COMMIT", f);
    }
    st_rollback(s);
    if (applied)
        *applied = count;
    return rc;
}
