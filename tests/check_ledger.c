#include "core/ledger.h"
#include "app/pledging.h"
#include "core/pledge.h"
#include "store/store.h"
#include "tests/suites.h"
#include "tests/testdb.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void pledge_n(struct store *s, const char *campaign, int n)
{
    for (int i = 0; i < n; i++) {
        struct pledge p;
        bool replayed;
        struct fault f = {0};
        struct pledge_request r = testdb_request(i % 3 == 0 ? 250000 : 100 + i);
        ck_assert_msg(pledging_make(&p, &replayed, s, campaign, &r, NULL, &f) ==
                          0, "%s", f.message);
        ck_assert_int_eq(p.seq, i + 1);
    }
}

START_TEST(hash_is_blake2b_of_prev_and_canonical_entry)
{
    struct ledger_entry e = {.seq = 1, .kind = ENTRY_PLEDGE,
                             .amount_minor = 250000};
    strcpy(e.campaign_id, "help-us");
    strcpy(e.pledge_id, "0b8f7a52-3c59-4d53-9a57-3f0c8b7d2e11");
    strcpy(e.currency, "USD");
    strcpy(e.created_at, "2026-11-25T09:41:07.123456Z");
    unsigned char got[32], want[32];
    ck_assert_int_eq(ledger_hash(got, &e, NULL), 0);
    const char *canon =
        "{\"amount_minor\":250000,\"campaign_id\":\"help-us\","
        "\"created_at\":\"2026-11-25T09:41:07.123456Z\",\"currency\":\"USD\","
        "\"kind\":\"pledge\",\"pledge_id\":"
        "\"0b8f7a52-3c59-4d53-9a57-3f0c8b7d2e11\",\"seq\":1}";
    unsigned char msg[512];
    memset(msg, 0, 32); /* prev_hash of entry 1 */
    memcpy(msg + 32, canon, strlen(canon));
    crypto_generichash(want, 32, msg, 32 + strlen(canon), NULL, 0);
    ck_assert_mem_eq(got, want, 32);
}
END_TEST

START_TEST(chain_is_continuous_and_verifies)
{
    struct store *s = testdb_store();
    struct campaign c;
    testdb_campaign(&c, s, "chain");
    pledge_n(s, c.id, 25);
    struct ledger_check check;
    ck_assert_uint_eq(testdb_audit(&check, s, c.id), 0);
    ck_assert_int_eq(check.entries, 25);
    store_free(s);
}
END_TEST

/* Collects entries so that a test can tamper with copies. */
struct collected {
    struct ledger_entry e[16];
    size_t n;
};

static int collect(void *ctx, const struct ledger_entry *e)
{
    struct collected *c = ctx;
    if (c->n < 16)
        c->e[c->n++] = *e;
    return 0;
}

static size_t check_copy(const struct collected *col, const char *id)
{
    struct ledger_check check;
    ledger_check_init(&check, id);
    for (size_t i = 0; i < col->n; i++)
        ledger_check_add(&check, &col->e[i]);
    return check.nproblems;
}

/* Asserts that the verifier reports exactly the problems listed (NULL
 * ended), in order: not just that something was found. */
static void expect_problems(const struct collected *col, const char *id, ...)
{
    struct ledger_check check;
    ledger_check_init(&check, id);
    for (size_t i = 0; i < col->n; i++)
        ledger_check_add(&check, &col->e[i]);
    va_list ap;
    va_start(ap, id);
    size_t n = 0;
    for (const char *want; (want = va_arg(ap, const char *)) != NULL; n++) {
        ck_assert_msg(n < check.nproblems, "missing problem: %s", want);
        ck_assert_str_eq(check.problems[n], want);
    }
    va_end(ap);
    ck_assert_msg(check.nproblems == n, "%zu problems, expected %zu; first: %s",
                  check.nproblems, n, check.nproblems ? check.problems[0] : "");
}

START_TEST(any_tampered_field_is_detected)
{
    struct store *s = testdb_store();
    struct campaign c;
    testdb_campaign(&c, s, "tamper");
    pledge_n(s, c.id, 5);
    struct collected col = {0};
    ck_assert_int_eq(store_ledger_walk(NULL, s, c.id, collect, &col, NULL), 0);
    ck_assert_uint_eq(col.n, 5);
    ck_assert_uint_eq(check_copy(&col, c.id), 0);

    struct collected bad = col;
    bad.e[2].amount_minor += 1;
    ck_assert_uint_gt(check_copy(&bad, c.id), 0);
    bad = col;
    bad.e[2].created_at[20]++;
    ck_assert_uint_gt(check_copy(&bad, c.id), 0);
    bad = col;
    bad.e[1].pledge_id[0] = bad.e[1].pledge_id[0] == 'a' ? 'b' : 'a';
    ck_assert_uint_gt(check_copy(&bad, c.id), 0);
    bad = col;
    bad.e[3].entry_hash[0] ^= 1;
    ck_assert_uint_gt(check_copy(&bad, c.id), 0);
    bad = col; /* a deleted entry leaves a gap */
    memmove(&bad.e[2], &bad.e[3], 2 * sizeof bad.e[0]);
    bad.n = 4;
    ck_assert_uint_gt(check_copy(&bad, c.id), 0);
    store_free(s);
}
END_TEST

/* Which problem, not only whether: each tampering is reported as what it
 * is, at the entry where it happened, and nothing else is. */
START_TEST(verifier_names_each_tampering)
{
    struct store *s = testdb_store();
    struct campaign c;
    testdb_campaign(&c, s, "which");
    pledge_n(s, c.id, 5);
    struct collected col = {0};
    ck_assert_int_eq(store_ledger_walk(NULL, s, c.id, collect, &col, NULL), 0);
    ck_assert_uint_eq(col.n, 5);
    expect_problems(&col, c.id, NULL);

    struct collected bad = col;
    bad.e[2].amount_minor += 1;
    expect_problems(&bad, c.id, "seq 3: entry_hash does not match its content",
                    NULL);
    bad = col;
    bad.e[1].pledge_id[0] = bad.e[1].pledge_id[0] == 'a' ? 'b' : 'a';
    expect_problems(&bad, c.id, "seq 2: entry_hash does not match its content",
                    NULL);
    bad = col; /* a stored hash changed: its entry, then the next link */
    bad.e[3].entry_hash[0] ^= 1;
    expect_problems(&bad, c.id, "seq 4: entry_hash does not match its content",
                    "seq 5: prev_hash does not match the previous entry",
                    NULL);
    /* Relinked: seq 3 points at a made-up predecessor and its entry_hash is
     * recomputed, so only the link is wrong. */
    bad = col;
    bad.e[2].prev_hash[5] ^= 0x40;
    ck_assert_int_eq(ledger_hash(bad.e[2].entry_hash, &bad.e[2], NULL), 0);
    memcpy(bad.e[3].prev_hash, bad.e[2].entry_hash, LEDGER_HASH_LEN);
    ck_assert_int_eq(ledger_hash(bad.e[3].entry_hash, &bad.e[3], NULL), 0);
    memcpy(bad.e[4].prev_hash, bad.e[3].entry_hash, LEDGER_HASH_LEN);
    ck_assert_int_eq(ledger_hash(bad.e[4].entry_hash, &bad.e[4], NULL), 0);
    expect_problems(&bad, c.id,
                    "seq 3: prev_hash does not match the previous entry", NULL);
    bad = col; /* seq 3 deleted, the rest kept as stored */
    memmove(&bad.e[2], &bad.e[3], 2 * sizeof bad.e[0]);
    bad.n = 4;
    expect_problems(&bad, c.id, "seq 4: expected seq 3 (gap or reorder)",
                    "seq 4: prev_hash does not match the previous entry",
                    "seq 5: expected seq 4 (gap or reorder)", NULL);
    bad = col; /* an entry of another campaign spliced in */
    snprintf(bad.e[1].campaign_id, sizeof bad.e[1].campaign_id, "%s", "other");
    ck_assert_int_eq(ledger_hash(bad.e[1].entry_hash, &bad.e[1], NULL), 0);
    ck_assert_int_eq(ledger_leaf(bad.e[1].leaf_hash, &bad.e[1], NULL), 0);
    memcpy(bad.e[2].prev_hash, bad.e[1].entry_hash, LEDGER_HASH_LEN);
    ck_assert_int_eq(ledger_hash(bad.e[2].entry_hash, &bad.e[2], NULL), 0);
    memcpy(bad.e[3].prev_hash, bad.e[2].entry_hash, LEDGER_HASH_LEN);
    ck_assert_int_eq(ledger_hash(bad.e[3].entry_hash, &bad.e[3], NULL), 0);
    memcpy(bad.e[4].prev_hash, bad.e[3].entry_hash, LEDGER_HASH_LEN);
    ck_assert_int_eq(ledger_hash(bad.e[4].entry_hash, &bad.e[4], NULL), 0);
    expect_problems(&bad, c.id, "seq 2: belongs to campaign other", NULL);
    bad = col; /* a stored Merkle leaf changed, and nothing else */
    bad.e[3].leaf_hash[7] ^= 2;
    expect_problems(&bad, c.id, "seq 4: leaf_hash does not match its content",
                    NULL);
    store_free(s);
}
END_TEST

/* TRUNCATE takes no parameters: it goes through PQexec, in a transaction
 * that is rolled back, so that a missing guard cannot empty the tables of
 * the other tests. `table`'s own guard alone must refuse it: the guards of
 * the tables it cascades to are switched off for the statement. */
static void assert_truncate_refused(PGconn *db, const char *table,
                                    const char *others)
{
    char sql[512], want[96];
    snprintf(sql, sizeof sql,
             "BEGIN; SET LOCAL client_min_messages = warning; %s "
             "TRUNCATE %s CASCADE",
             others, table);
    snprintf(want, sizeof want, "%s is append-only: TRUNCATE refused", table);
    PGresult *r = PQexec(db, sql);
    ck_assert_msg(PQresultStatus(r) == PGRES_FATAL_ERROR,
                  "the database allowed: TRUNCATE %s CASCADE", table);
    ck_assert_msg(strstr(PQresultErrorMessage(r), want) != NULL,
                  "refused for another reason: %s", PQresultErrorMessage(r));
    PQclear(r);
    PQclear(PQexec(db, "ROLLBACK"));
}

static void assert_refused(PGconn *db, const char *sql, const char *campaign)
{
    const char *params[1] = {campaign};
    PGresult *r = PQexecParams(db, sql, 1, NULL, params, NULL, NULL, 0);
    ck_assert_msg(PQresultStatus(r) == PGRES_FATAL_ERROR,
                  "the database allowed: %s", sql);
    PQclear(r);
}

/* Refused, and by the guard that names why (not by some other constraint
 * that happens to be in the way). */
static void assert_refused_by(PGconn *db, const char *sql,
                              const char *campaign, const char *why)
{
    const char *params[1] = {campaign};
    PGresult *r = PQexecParams(db, sql, 1, NULL, params, NULL, NULL, 0);
    ck_assert_msg(PQresultStatus(r) == PGRES_FATAL_ERROR,
                  "the database allowed: %s", sql);
    ck_assert_msg(strstr(PQresultErrorMessage(r), why) != NULL,
                  "refused for another reason than '%s': %s", why,
                  PQresultErrorMessage(r));
    PQclear(r);
}

START_TEST(database_refuses_update_delete_and_gaps)
{
    struct store *s = testdb_store();
    struct campaign c;
    testdb_campaign(&c, s, "appendonly");
    pledge_n(s, c.id, 3);
    PGconn *db = testdb_raw();
    assert_refused(db, "UPDATE ledger_entries SET amount_minor = 1 "
                       "WHERE campaign_id = $1", c.id);
    assert_refused(db, "DELETE FROM ledger_entries WHERE campaign_id = $1",
                   c.id);
    assert_refused(db, "UPDATE pledges SET amount_minor = 1 "
                       "WHERE campaign_id = $1", c.id);
    assert_refused(db, "DELETE FROM pledges WHERE campaign_id = $1", c.id);
    assert_truncate_refused(db, "ledger_entries",
                            "ALTER TABLE pledges DISABLE TRIGGER "
                            "pledges_no_truncate; ALTER TABLE refunds "
                            "DISABLE TRIGGER refunds_no_truncate;");
    assert_truncate_refused(db, "pledges",
                            "ALTER TABLE refunds DISABLE TRIGGER "
                            "refunds_no_truncate;");
    assert_truncate_refused(db, "refunds", "");
    assert_truncate_refused(db, "ledger_entries", ""); /* all guards on */
    /* A gap (seq 5 after 3), a fork (seq 2 again) or a wrong prev_hash,
     * each refused by the chain check (sql/004_batch_checks.sql). */
    char gap[128], fork[128];
    snprintf(gap, sizeof gap, "ledger entry 5 of %s does not extend its chain",
             c.id);
    snprintf(fork, sizeof fork,
             "ledger entry 4 of %s does not extend its chain", c.id);
    assert_refused_by(db, "INSERT INTO ledger_entries SELECT campaign_id, 5, "
                          "kind, pledge_id, amount_minor, currency, "
                          "created_at, created_ts, entry_hash, "
                          "sha256(entry_hash), provider, reference, method, "
                          "reason, leaf_hash FROM ledger_entries WHERE "
                          "campaign_id = $1 AND seq = 3",
                      c.id, gap);
    assert_refused_by(db, "INSERT INTO ledger_entries SELECT campaign_id, 4, "
                          "kind, pledge_id, amount_minor, currency, "
                          "created_at, created_ts, prev_hash, "
                          "sha256(entry_hash), provider, reference, method, "
                          "reason, leaf_hash FROM ledger_entries WHERE "
                          "campaign_id = $1 AND seq = 3",
                      c.id, fork);
    /* A new prev_hash that is not the previous entry's hash. */
    assert_refused_by(db, "INSERT INTO ledger_entries SELECT campaign_id, 4, "
                          "kind, pledge_id, amount_minor, currency, "
                          "created_at, created_ts, sha256(prev_hash), "
                          "sha256(entry_hash), provider, reference, method, "
                          "reason, leaf_hash FROM ledger_entries WHERE "
                          "campaign_id = $1 AND seq = 3",
                      c.id, fork);
    PQfinish(db);
    struct ledger_check check;
    ck_assert_uint_eq(testdb_audit(&check, s, c.id), 0);
    ck_assert_int_eq(check.entries, 3);
    store_free(s);
}
END_TEST

START_TEST(audit_finds_a_row_changed_behind_the_guard)
{
    struct store *s = testdb_store();
    struct campaign c;
    testdb_campaign(&c, s, "corrupt");
    pledge_n(s, c.id, 4);
    PGconn *db = testdb_raw();
    const char *params[1] = {c.id};
    /* As the superuser, with triggers off: what an attacker with the
     * database could do. */
    PGresult *r = PQexec(db, "SET session_replication_role = replica");
    PQclear(r);
    r = PQexecParams(db,
                     "UPDATE ledger_entries SET amount_minor = amount_minor "
                     "+ 100 WHERE campaign_id = $1 AND seq = 2",
                     1, NULL, params, NULL, NULL, 0);
    ck_assert_int_eq(PQresultStatus(r), PGRES_COMMAND_OK);
    ck_assert_str_eq(PQcmdTuples(r), "1");
    PQclear(r);
    PQfinish(db);
    struct ledger_check check;
    ck_assert_uint_gt(testdb_audit(&check, s, c.id), 0);
    ck_assert_ptr_nonnull(strstr(check.problems[0], "seq 2"));
    store_free(s);
}
END_TEST

Suite *ledger_suite(void)
{
    Suite *s = suite_create("ledger");
    TCase *tc = tcase_create("ledger");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, hash_is_blake2b_of_prev_and_canonical_entry);
    tcase_add_test(tc, chain_is_continuous_and_verifies);
    tcase_add_test(tc, any_tampered_field_is_detected);
    tcase_add_test(tc, verifier_names_each_tampering);
    tcase_add_test(tc, database_refuses_update_delete_and_gaps);
    tcase_add_test(tc, audit_finds_a_row_changed_behind_the_guard);
    suite_add_tcase(s, tc);
    return s;
}
