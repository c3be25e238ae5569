/* Signed receipts as stored, and the public keys that verify them. */
#include "store/internal.h"

#include "core/hex.h"

#include <stdlib.h>
#include <string.h>

int store_receipt_get(struct signed_doc *out, struct store *s,
                      const char *subject_id, struct fault *f)
{
    PGresult *r;
    int rc = st_run_one(&r, s,
                        "SELECT body, signature FROM receipts "
                        "WHERE subject_id = $1",
                        subject_id, "receipt yet for", f);
    if (rc == 0) {
        out->body = strdup(PQgetvalue(r, 0, 0));
        st_strcol(out->signature, sizeof out->signature, r, 0, 1);
        if (out->body == NULL)
            rc = fault_set(f, FAULT_NOMEM, NULL, "out of memory");
    }
    PQclear(r);
    return rc;
}

int store_receipt_put(struct store *s, const char *subject_id, const char *type,
                      const struct signed_doc *d, const char *kid,
                      struct fault *f)
{
    int rc = st_ensure(s, f);
    if (rc)
        return rc;
    const char *params[5] = {subject_id, type, d->body, d->signature, kid};
    PGresult *r;
    rc = st_run(
        &r, s, PGRES_COMMAND_OK,
        "INSERT INTO receipts (subject_id, type, body, signature, kid) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (subject_id) DO NOTHING",
        5, params, f);
    PQclear(r);
    return rc;
}

int store_key_add(struct store *s, const char *kid, const unsigned char pk[32],
                  bool rotate, struct fault *f)
{
    int rc = st_ensure(s, f);
    if (rc)
        return rc;
    char hex[BYTEA32_HEX];
    st_bytea(hex, pk);
    const char *params[2] = {kid, hex};
    PGresult *r = NULL;
    if ((rc = st_exec(s, "BEGIN", f)) != 0)
        goto done;
    if (rotate && (rc = st_run(&r, s, PGRES_COMMAND_OK,
                               "UPDATE signing_keys SET retired_at = now() "
                               "WHERE retired_at IS NULL AND kid <> $1",
                               1, params, f)) != 0)
        goto done;
    PQclear(r);
    struct fault insert = {0};
    if ((rc = st_run(&r, s, PGRES_COMMAND_OK,
                     "INSERT INTO signing_keys (kid, public_key) "
                     "VALUES ($1, $2) ON CONFLICT (kid) DO NOTHING",
                     2, params, &insert)) != 0) {
        fault_set(f, rc, insert.field, "%s",
                  rc == FAULT_CONFLICT ? "another key is current"
                                       : insert.message);
        goto done;
    }
    rc = st_commit(s, f);
done:
    PQclear(r);
    st_rollback(s);
    return rc;
}

int store_key_get(unsigned char pk[32], struct store *s, const char *kid,
                  struct fault *f)
{
    PGresult *r;
    int rc =
        st_run_one(&r, s, "SELECT public_key FROM signing_keys WHERE kid = $1",
                   kid, "key", f);
    if (rc == 0)
        rc = st_unbytea(pk, PQgetvalue(r, 0, 0), f);
    PQclear(r);
    return rc;
}

int store_keys_list(struct store *s,
                    int (*fn)(void *ctx, const struct key_info *k), void *ctx,
                    struct fault *f)
{
    int rc = st_ensure(s, f);
    if (rc)
        return rc;
    PGresult *r;
    if ((rc = st_run(&r, s, PGRES_TUPLES_OK,
                     "SELECT kid, public_key, "
                     "to_char(created_at AT TIME ZONE 'UTC', " ST_STAMP "), "
                     "coalesce(to_char(retired_at AT TIME ZONE 'UTC', "
                     ST_STAMP "), '') "
                     "FROM signing_keys ORDER BY created_at, kid",
                     0, NULL, f)) != 0)
        return rc;
    for (int i = 0; i < PQntuples(r) && rc == 0; i++) {
        struct key_info k;
        st_strcol(k.kid, sizeof k.kid, r, i, 0);
        st_strcol(k.created_at, sizeof k.created_at, r, i, 2);
        st_strcol(k.retired_at, sizeof k.retired_at, r, i, 3);
        if ((rc = st_unbytea(k.public_key, PQgetvalue(r, i, 1), f)) == 0)
            rc = fn(ctx, &k);
    }
    PQclear(r);
    return rc;
}

int store_receipts_walk(struct store *s, const char *campaign_id,
                        int (*fn)(void *ctx, const struct receipt_row *r),
                        void *ctx, struct fault *f)
{
    int rc = st_ensure(s, f);
    if (rc)
        return rc;
    const char *params[1] = {campaign_id};
    PGresult *r;
    if ((rc = st_run(&r, s, PGRES_TUPLES_OK,
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
        if ((rc = st_unbytea(row.public_key, PQgetvalue(r, i, 3), f)) != 0)
            break;
        if (row.has_entry) {
            unsigned char h[32];
            if ((rc = st_unbytea(h, PQgetvalue(r, i, 4), f)) != 0)
                break;
            hex_encode(row.entry_hash_hex, h, 32);
            row.entry_amount = st_i64col(r, i, 5);
        }
        rc = fn(ctx, &row);
    }
    PQclear(r);
    return rc;
}

int store_receipts_put(bool *stored, struct store *s, const char *const *ids,
                       const struct signed_doc *docs, size_t n,
                       const char *type, const char *kid, struct fault *f)
{
    int rc = st_ensure(s, f);
    if (rc)
        return rc;
    struct buf a[3];
    for (int k = 0; k < 3; k++) {
        buf_init(&a[k]);
        st_arr_open(&a[k]);
    }
    for (size_t i = 0; i < n; i++) {
        st_arr_text(&a[0], ids[i]);
        st_arr_text(&a[1], docs[i].body);
        st_arr_text(&a[2], docs[i].signature);
        stored[i] = false;
    }
    for (int k = 0; k < 3; k++)
        st_arr_close(&a[k]);
    const char *params[5] = {a[0].data, a[1].data, a[2].data, type, kid};
    PGresult *r = NULL;
    if (buf_failed(&a[0]) || buf_failed(&a[1]) || buf_failed(&a[2]))
        rc = fault_set(f, FAULT_NOMEM, NULL, "out of memory");
    else if ((rc = st_exec(s, "BEGIN; SET LOCAL synchronous_commit = off",
                           f)) == 0)
        rc = st_run(&r, s, PGRES_TUPLES_OK,
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
        rc = st_commit(s, f);
    st_rollback(s);
    for (int k = 0; k < 3; k++)
        buf_release(&a[k]);
    return rc;
}
