/* Admin tokens (their hashes) and the admin log. */
#include "store/internal.h"

#include <string.h>

int store_token_add(struct store *s, const char *name,
                    const unsigned char hash[32], const struct idem *idem,
                    const struct admin_action *log, struct fault *f)
{
    int rc = st_ensure(s, f);
    if (rc)
        return rc;
    char h[BYTEA32_HEX];
    st_bytea(h, hash);
    const char *params[2] = {name, h};
    PGresult *r = NULL;
    if ((rc = st_exec(s, "BEGIN", f)) != 0 ||
        (rc = st_record_key(s, idem, 201, "token", name, f)) != 0)
        goto done;
    /* ON CONFLICT (name): a name taken is reported without an error in
     * Postgres's log; a hash collision (2^-256) still fails loudly. */
    if ((rc = st_run(&r, s, PGRES_TUPLES_OK,
                     "INSERT INTO admin_tokens (name, token_hash) "
                     "VALUES ($1, $2) ON CONFLICT (name) DO NOTHING "
                     "RETURNING name",
                     2, params, f)) != 0)
        goto done;
    if (PQntuples(r) != 1) {
        rc = fault_set(f, FAULT_CONFLICT, "name",
                       "a token named %s exists (live or revoked): "
                       "choose another name", name);
        goto done;
    }
    if ((rc = st_log(s, log, f)) == 0)
        rc = st_commit(s, f);
done:
    PQclear(r);
    st_rollback(s);
    return rc;
}

int store_token_find(char name[TOKEN_NAME_MAX + 1], struct store *s,
                     const unsigned char hash[32], struct fault *f)
{
    char h[BYTEA32_HEX];
    st_bytea(h, hash);
    PGresult *r;
    int rc = st_run_one(&r, s,
                        "SELECT name FROM admin_tokens WHERE token_hash = $1 "
                        "AND revoked_at IS NULL",
                        h, "live token with hash", f);
    if (rc == 0)
        st_strcol(name, TOKEN_NAME_MAX + 1, r, 0, 0);
    PQclear(r);
    return rc;
}

int st_log(struct store *s, const struct admin_action *a, struct fault *f)
{
    if (a == NULL)
        return 0;
    const char *params[4] = {a->who, a->action, a->target,
                             a->detail ? a->detail : ""};
    PGresult *r;
    int rc = st_run(&r, s, PGRES_COMMAND_OK,
                    "INSERT INTO admin_log (token_name, action, target, "
                    "detail) VALUES ($1, $2, $3, $4)",
                    4, params, f);
    PQclear(r);
    return rc;
}

int store_admin_log(struct store *s, const struct admin_action *a,
                    struct fault *f)
{
    int rc = st_ensure(s, f);
    return rc ? rc : st_log(s, a, f);
}

#define TOKEN_COLUMNS                                                      \
    "name, to_char(created_at AT TIME ZONE 'UTC', " ST_STAMP "), "          \
    "coalesce(to_char(revoked_at AT TIME ZONE 'UTC', " ST_STAMP "), '') "

static void token_row(struct token_info *t, PGresult *r, int i)
{
    st_strcol(t->name, sizeof t->name, r, i, 0);
    st_strcol(t->created_at, sizeof t->created_at, r, i, 1);
    st_strcol(t->revoked_at, sizeof t->revoked_at, r, i, 2);
}

int store_tokens_list(struct store *s,
                      int (*fn)(void *ctx, const struct token_info *t),
                      void *ctx, struct fault *f)
{
    int rc = st_ensure(s, f);
    if (rc)
        return rc;
    PGresult *r;
    if ((rc = st_run(&r, s, PGRES_TUPLES_OK,
                     "SELECT " TOKEN_COLUMNS "FROM admin_tokens ORDER BY name",
                     0, NULL, f)) != 0)
        return rc;
    for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
        struct token_info t;
        token_row(&t, r, i);
        rc = fn(ctx, &t);
    }
    PQclear(r);
    return rc;
}

int store_token_revoke(struct store *s, const char *name,
                       const struct admin_action *log, struct fault *f)
{
    int rc = st_ensure(s, f);
    if (rc)
        return rc;
    const char *params[1] = {name};
    PGresult *r = NULL;
    if ((rc = st_exec(s, "BEGIN", f)) != 0 ||
        (rc = st_run(&r, s, PGRES_COMMAND_OK,
                     "UPDATE admin_tokens SET revoked_at = now() "
                     "WHERE name = $1 AND revoked_at IS NULL",
                     1, params, f)) != 0)
        goto done;
    if (strcmp(PQcmdTuples(r), "1") != 0) {
        rc = fault_set(f, FAULT_NOT_FOUND, NULL, "no live token %s", name);
        goto done;
    }
    if ((rc = st_log(s, log, f)) == 0)
        rc = st_commit(s, f);
done:
    PQclear(r);
    st_rollback(s);
    return rc;
}

int store_token_get(struct token_info *t, struct store *s, const char *name,
                    struct fault *f)
{
    int rc = st_ensure(s, f);
    if (rc)
        return rc;
    PGresult *r;
    rc = st_run_one(&r, s,
                    "SELECT " TOKEN_COLUMNS "FROM admin_tokens WHERE name = $1",
                    name, "token", f);
    if (rc == 0)
        token_row(t, r, 0);
    PQclear(r);
    return rc;
}
