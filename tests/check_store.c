#include "core/embed.h"
#include "app/pledging.h"
#include "core/pledge.h"
#include "app/seed.h"
#include "store/store.h"
#include "tests/suites.h"
#include "tests/testdb.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static struct idem key(const char *text, const char *request)
{
    struct idem i = {.key = text};
    crypto_generichash(i.request_hash, 32, (const unsigned char *)request,
                       strlen(request), NULL, 0);
    return i;
}

static void random_key(char out[40])
{
    snprintf(out, 40, "test-%08x%08x", randombytes_random(),
             randombytes_random());
}

START_TEST(migrate_again_is_a_no_op)
{
    struct store *s = testdb_store();
    struct migration m[16];
    for (size_t i = 0; i < embedded_sql_count; i++)
        m[i] = (struct migration){embedded_sql[i].name,
                                  (const char *)embedded_sql[i].data};
    int applied = -1;
    struct fault f = {0};
    ck_assert_int_eq(store_migrate(s, m, embedded_sql_count, &applied, &f), 0);
    ck_assert_int_eq(applied, 0);
    store_free(s);
}
END_TEST

START_TEST(pledge_fills_seq_time_and_hash)
{
    struct store *s = testdb_store();
    struct campaign c;
    testdb_campaign(&c, s, "fill");
    struct pledge p, back;
    bool replayed = true;
    struct pledge_request r = {.amount_minor = 1234,
                               .donor_name = "Zoë",
                               .donor_name_len = 4,
                               .donor_email = "zoe@example.org",
                               .donor_email_len = 15,
                               .anonymous = true};
    ck_assert_int_eq(pledging_make(&p, &replayed, s, c.id, &r, NULL, NULL), 0);
    ck_assert(!replayed);
    ck_assert_int_eq(p.seq, 1);
    ck_assert_int_eq(p.kind, PLEDGE_CUSTOM);
    ck_assert_uint_eq(strlen(p.created_at), 27);
    ck_assert_int_eq(store_pledge_get(&back, s, p.id, NULL), 0);
    ck_assert_str_eq(back.donor_name, "Zoë");
    ck_assert_str_eq(back.donor_email, "zoe@example.org");
    ck_assert(back.anonymous);
    ck_assert_str_eq(back.created_at, p.created_at);
    ck_assert_mem_eq(back.entry_hash, p.entry_hash, 32);
    store_free(s);
}
END_TEST

START_TEST(idempotent_replay_returns_the_same_pledge)
{
    struct store *s = testdb_store();
    struct campaign c;
    testdb_campaign(&c, s, "replay");
    char k[40];
    random_key(k);
    struct idem i = key(k, "POST /pledges {2500}");
    struct pledge_request r = testdb_request(250000);
    struct pledge first, again;
    bool replayed;
    ck_assert_int_eq(pledging_make(&first, &replayed, s, c.id, &r, &i, NULL), 0);
    ck_assert(!replayed);
    ck_assert_int_eq(pledging_make(&again, &replayed, s, c.id, &r, &i, NULL), 0);
    ck_assert(replayed);
    ck_assert_str_eq(again.id, first.id);
    ck_assert_int_eq(again.seq, first.seq);
    ck_assert_mem_eq(again.entry_hash, first.entry_hash, 32);
    struct totals t;
    ck_assert_int_eq(store_campaign_get(&c, &t, s, c.id, NULL), 0);
    ck_assert_int_eq(t.seq, 1);
    ck_assert_int_eq(t.raised_minor, 250000);
    store_free(s);
}
END_TEST

START_TEST(reused_key_with_another_request_is_refused)
{
    struct store *s = testdb_store();
    struct campaign c;
    testdb_campaign(&c, s, "reuse");
    char k[40];
    random_key(k);
    struct idem a = key(k, "request A"), b = key(k, "request B");
    struct pledge_request r = testdb_request(250000);
    struct pledge p;
    bool replayed;
    struct fault f = {0};
    ck_assert_int_eq(pledging_make(&p, &replayed, s, c.id, &r, &a, NULL), 0);
    ck_assert_int_eq(pledging_make(&p, &replayed, s, c.id, &r, &b, &f),
                     FAULT_IDEM_REUSED);
    ck_assert_str_eq(fault_name(f.code), "idempotency_key_reused");
    struct totals t;
    ck_assert_int_eq(store_campaign_get(&c, &t, s, c.id, NULL), 0);
    ck_assert_int_eq(t.seq, 1);
    store_free(s);
}
END_TEST

START_TEST(refused_pledges_write_nothing)
{
    struct store *s = testdb_store();
    struct campaign c;
    testdb_campaign(&c, s, "refuse");
    struct pledge p;
    bool replayed;
    struct fault f = {0};
    struct pledge_request r = testdb_request(99);
    ck_assert_int_eq(pledging_make(&p, &replayed, s, c.id, &r, NULL, &f),
                     FAULT_AMOUNT_RANGE);
    r = testdb_request(1000);
    r.currency = "EUR", r.currency_len = 3;
    ck_assert_int_eq(pledging_make(&p, &replayed, s, c.id, &r, NULL, NULL),
                     FAULT_CURRENCY);
    r = testdb_request(1000);
    ck_assert_int_eq(pledging_make(&p, &replayed, s, "no-such-campaign", &r,
                                 NULL, NULL),
                     FAULT_NOT_FOUND);
    PGconn *db = testdb_raw();
    const char *params[1] = {c.id};
    PQclear(PQexecParams(db,
                         "UPDATE campaigns SET status = 'closed', "
                         "version = version + 1 WHERE id = $1",
                         1, NULL, params, NULL, NULL, 0));
    PQfinish(db);
    ck_assert_int_eq(pledging_make(&p, &replayed, s, c.id, &r, NULL, NULL),
                     FAULT_CLOSED);
    struct ledger_check check;
    ck_assert_uint_eq(testdb_audit(&check, s, c.id), 0);
    ck_assert_int_eq(check.entries, 0);
    store_free(s);
}
END_TEST

START_TEST(refund_reverses_once)
{
    struct store *s = testdb_store();
    struct campaign c;
    testdb_campaign(&c, s, "refund");
    struct pledge p, zero;
    struct refund rf, again;
    bool replayed;
    struct pledge_request r = testdb_request(5000), z = testdb_request(0);
    ck_assert_int_eq(pledging_make(&p, &replayed, s, c.id, &r, NULL, NULL), 0);
    ck_assert_int_eq(pledging_make(&zero, &replayed, s, c.id, &z, NULL, NULL), 0);
    struct totals t;
    ck_assert_int_eq(store_campaign_get(&c, &t, s, c.id, NULL), 0);
    ck_assert_int_eq(t.raised_minor, 5000);
    ck_assert_int_eq(t.supporters, 2);

    char k[40];
    random_key(k);
    struct idem i = key(k, "refund");
    ck_assert_int_eq(pledging_refund(&rf, &replayed, s, p.id, NULL, &i, NULL, NULL), 0);
    ck_assert(!replayed);
    ck_assert_int_eq(rf.amount_minor, -5000);
    ck_assert_int_eq(rf.seq, 3);
    ck_assert_int_eq(pledging_refund(&again, &replayed, s, p.id, NULL, &i, NULL, NULL), 0);
    ck_assert(replayed);
    ck_assert_str_eq(again.id, rf.id);
    ck_assert_int_eq(pledging_refund(&again, &replayed, s, p.id, NULL, NULL, NULL, NULL),
                     FAULT_CONFLICT);
    ck_assert_int_eq(pledging_refund(&again, &replayed, s, rf.id, NULL, NULL, NULL, NULL),
                     FAULT_CONFLICT);
    ck_assert_int_eq(pledging_refund(&again, &replayed, s,
                                   "00000000-0000-4000-8000-000000000000",
                                   NULL, NULL, NULL, NULL),
                     FAULT_NOT_FOUND);
    ck_assert_int_eq(store_campaign_get(&c, &t, s, c.id, NULL), 0);
    ck_assert_int_eq(t.raised_minor, 0);
    ck_assert_int_eq(t.supporters, 1);
    struct ledger_check check;
    ck_assert_uint_eq(testdb_audit(&check, s, c.id), 0);
    ck_assert_int_eq(check.entries, 3);
    store_free(s);
}
END_TEST

#define WRITERS 8
#define PLEDGES_EACH 125

struct writer {
    const char *campaign;
    int index;
    int64_t sum;
    int failures;
};

static void *write_pledges(void *arg)
{
    struct writer *w = arg;
    struct store *s = store_new(getenv("PLEDGED_TEST_DATABASE_URL"));
    for (int i = 0; i < PLEDGES_EACH; i++) {
        int64_t amount = (i % 5 == 0) ? 250000 : 100 + w->index * 1000 + i;
        struct pledge_request r = testdb_request(amount);
        struct pledge p;
        bool replayed;
        char k[64];
        snprintf(k, sizeof k, "%s-w%d-%d", w->campaign, w->index, i);
        struct idem id = key(k, k);
        if (pledging_make(&p, &replayed, s, w->campaign, &r, &id, NULL) != 0)
            w->failures++;
        else
            w->sum += amount;
        /* Every tenth request is retried: it must not count twice. */
        if (i % 10 == 0 &&
            (pledging_make(&p, &replayed, s, w->campaign, &r, &id, NULL) != 0 ||
             !replayed))
            w->failures++;
    }
    store_free(s);
    return NULL;
}

START_TEST(concurrent_pledges_keep_totals_equal_to_ledger)
{
    struct store *s = testdb_store();
    struct campaign c;
    testdb_campaign(&c, s, "concurrent");
    pthread_t th[WRITERS];
    struct writer w[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        w[i] = (struct writer){.campaign = c.id, .index = i};
        ck_assert_int_eq(pthread_create(&th[i], NULL, write_pledges, &w[i]), 0);
    }
    int64_t sum = 0;
    for (int i = 0; i < WRITERS; i++) {
        pthread_join(th[i], NULL);
        ck_assert_int_eq(w[i].failures, 0);
        sum += w[i].sum;
    }
    struct totals t;
    ck_assert_int_eq(store_campaign_get(&c, &t, s, c.id, NULL), 0);
    ck_assert_int_eq(t.seq, WRITERS * PLEDGES_EACH);
    ck_assert_int_eq(t.supporters, WRITERS * PLEDGES_EACH);
    ck_assert_int_eq(t.raised_minor, sum);
    struct ledger_check check;
    ck_assert_uint_eq(testdb_audit(&check, s, c.id), 0);
    ck_assert_int_eq(check.entries, WRITERS * PLEDGES_EACH);
    ck_assert_int_eq(check.raised_minor, sum);
    store_free(s);
}
END_TEST

START_TEST(seed_gives_929_dollars_once)
{
    struct store *s = testdb_store();
    int added = -1;
    struct fault f = {0};
    ck_assert_msg(seed_reference(s, NULL, &added, &f) == 0, "%s", f.message);
    ck_assert_int_ge(added, 0); /* scripts/test may have seeded already */
    ck_assert_int_eq(seed_reference(s, NULL, &added, &f), 0);
    ck_assert_int_eq(added, 0);
    struct campaign c;
    struct totals t;
    ck_assert_int_eq(store_campaign_get(&c, &t, s, "help-us", NULL), 0);
    ck_assert_int_eq(t.raised_minor, 92900);
    ck_assert_int_eq(c.goal_minor, 500000);
    ck_assert_uint_eq(c.ntiers, 3);
    ck_assert_int_eq(c.tiers[0], 0);
    ck_assert_int_eq(c.tiers[1], 250000);
    ck_assert_int_eq(c.tiers[2], 500000);
    ck_assert_str_eq(c.currency, "USD");
    store_free(s);
}
END_TEST

START_TEST(unreachable_database_is_unavailable)
{
    struct store *s = store_new("host=/nonexistent dbname=x");
    struct fault f = {0};
    struct campaign c;
    ck_assert_int_eq(store_campaign_get(&c, NULL, s, "help-us", &f),
                     FAULT_UNAVAILABLE);
    ck_assert_str_eq(fault_name(f.code), "database_unavailable");
    store_free(s);
}
END_TEST

Suite *store_suite(void)
{
    Suite *s = suite_create("store");
    TCase *tc = tcase_create("store");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, migrate_again_is_a_no_op);
    tcase_add_test(tc, pledge_fills_seq_time_and_hash);
    tcase_add_test(tc, idempotent_replay_returns_the_same_pledge);
    tcase_add_test(tc, reused_key_with_another_request_is_refused);
    tcase_add_test(tc, refused_pledges_write_nothing);
    tcase_add_test(tc, refund_reverses_once);
    tcase_add_test(tc, concurrent_pledges_keep_totals_equal_to_ledger);
    tcase_add_test(tc, seed_gives_929_dollars_once);
    tcase_add_test(tc, unreachable_database_is_unavailable);
    suite_add_tcase(s, tc);
    return s;
}
