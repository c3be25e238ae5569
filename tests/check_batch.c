#include "app/batch.h"
#include "app/pledging.h"
#include "core/pledge.h"
#include "core/signer.h"
#include "store/store.h"
#include "tests/suites.h"
#include "tests/testdb.h"

#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct idem make_key(char *buf, const char *tag)
{
    snprintf(buf, 64, "batch-%s-%08x", tag, randombytes_random());
    struct idem i = {.key = buf};
    crypto_generichash(i.request_hash, 32, (const unsigned char *)buf,
                       strlen(buf), NULL, 0);
    return i;
}

START_TEST(one_batch_mixes_campaigns_refusals_and_replays)
{
    struct store *s = testdb_store();
    struct campaign a, b;
    testdb_campaign(&a, s, "batch-a");
    testdb_campaign(&b, s, "batch-b");
    char k[4][64];
    struct idem keys[4] = {make_key(k[0], "0"), make_key(k[1], "1"),
                           make_key(k[2], "2"), make_key(k[3], "3")};
    keys[3] = keys[1]; /* the same key twice in one batch */
    struct pledge_request reqs[6] = {
        testdb_request(250000), testdb_request(1234), testdb_request(99),
        testdb_request(1234),   testdb_request(500000), testdb_request(0)};
    const struct pledge_request *rp[6];
    struct batch_item items[6];
    const char *camp[6] = {a.id, a.id, a.id, a.id, b.id, "no-such"};
    const struct idem *ip[6] = {&keys[0], &keys[1], &keys[2], &keys[3], NULL,
                                NULL};
    for (int i = 0; i < 6; i++) {
        rp[i] = &reqs[i];
        pledging_item_init(&items[i], camp[i], ip[i]);
    }
    struct fault f = {0};
    ck_assert_int_eq(pledging_batch(s, items, 6,
                                        rp, &f),
                     0);
    ck_assert_int_eq(items[0].rc, 0);
    ck_assert_int_eq(items[0].pledge.seq, 1);
    ck_assert_int_eq(items[1].rc, 0);
    ck_assert_int_eq(items[1].pledge.seq, 2);
    ck_assert_int_eq(items[2].rc, FAULT_AMOUNT_RANGE);
    ck_assert_int_eq(items[3].rc, 0); /* replays item 1 */
    ck_assert(items[3].replayed);
    ck_assert_str_eq(items[3].pledge.id, items[1].pledge.id);
    ck_assert_int_eq(items[4].rc, 0);
    ck_assert_int_eq(items[4].pledge.seq, 1);
    ck_assert_int_eq(items[5].rc, FAULT_NOT_FOUND);
    struct ledger_check check;
    ck_assert_uint_eq(testdb_audit(&check, s, a.id), 0);
    ck_assert_int_eq(check.entries, 2);
    ck_assert_int_eq(check.raised_minor, 251234);
    ck_assert_uint_eq(testdb_audit(&check, s, b.id), 0);
    ck_assert_int_eq(check.raised_minor, 500000);
    store_free(s);
}
END_TEST

START_TEST(an_overflowing_pledge_fails_only_itself)
{
    struct store *s = testdb_store();
    struct campaign a, b;
    testdb_campaign(&a, s, "batch-over");
    testdb_campaign(&b, s, "batch-other");
    /* Campaign a's total is already near the money bound (poked behind
     * the store's back): a pledge that would take it past is refused
     * alone; the pledges around it, to a and to b, are written. (Past
     * INT64_MAX, money_total_add's FAULT_OVERFLOW: check_money.) */
    PGconn *db = testdb_raw();
    const char *params[1] = {a.id};
    PQclear(PQexecParams(db,
                         "UPDATE campaign_totals SET raised_minor = "
                         "9007199254740000 WHERE campaign_id = $1",
                         1, NULL, params, NULL, NULL, 0));
    PQclear(PQexecParams(db,
                         "UPDATE campaigns SET max_custom_minor = "
                         "9007199254740991 WHERE id = $1",
                         1, NULL, params, NULL, NULL, 0));
    PQfinish(db);
    char k[64];
    struct idem key = make_key(k, "over");
    struct pledge_request reqs[3] = {testdb_request(250000),
                                     testdb_request(9007199254740991),
                                     testdb_request(0)};
    const struct pledge_request *rp[3] = {&reqs[0], &reqs[1], &reqs[2]};
    const char *camp[3] = {b.id, a.id, a.id};
    const struct idem *ip[3] = {NULL, &key, NULL};
    struct batch_item items[3];
    for (int i = 0; i < 3; i++)
        pledging_item_init(&items[i], camp[i], ip[i]);
    struct fault f = {0};
    ck_assert_int_eq(pledging_batch(s, items, 3,
                                        rp, &f),
                     0);
    ck_assert_int_eq(items[0].rc, 0);
    ck_assert_int_eq(items[1].rc, FAULT_TOTAL_LIMIT);
    ck_assert_str_eq(items[1].fault.field, "amount_minor");
    ck_assert_int_eq(items[2].rc, 0);
    ck_assert_int_eq(items[2].pledge.seq, 1);
    struct ledger_check check;
    ck_assert_uint_eq(testdb_audit(&check, s, b.id), 0);
    ck_assert_int_eq(check.raised_minor, 250000);
    /* The refused pledge's key was not recorded: a retry is not a replay. */
    struct idem_record rec;
    ck_assert_int_eq(store_idem_get(&rec, s, key.key, NULL), 0);
    store_free(s);
}
END_TEST

struct waiter {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int done;
};

static void job_done(struct pledge_job *job)
{
    struct waiter *w = job->ctx;
    pthread_mutex_lock(&w->lock);
    w->done++;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

/* A batch job's receipt verifies under k and names its own pledge. */
static void assert_receipt_of(const struct pledge_job *job,
                              const struct signer *k, int64_t amount)
{
    const char *body = job->receipt.body;
    unsigned char sig[crypto_sign_BYTES];
    size_t len = 0;
    ck_assert_int_eq(sodium_base642bin(sig, sizeof sig, job->receipt.signature,
                                       strlen(job->receipt.signature), NULL,
                                       &len, NULL,
                                       sodium_base64_VARIANT_ORIGINAL),
                     0);
    ck_assert_uint_eq(len, sizeof sig);
    ck_assert_msg(crypto_sign_verify_detached(sig, (const unsigned char *)body,
                                              strlen(body),
                                              k->public_key) == 0,
                  "receipt of seq %lld does not verify",
                  (long long)job->pledge.seq);
    json_t *r = json_loads(body, 0, NULL);
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(json_string_value(json_object_get(r, "type")),
                     "pledge_receipt");
    ck_assert_str_eq(json_string_value(json_object_get(r, "pledge_id")),
                     job->pledge.id);
    ck_assert_str_eq(json_string_value(json_object_get(r, "campaign_id")),
                     job->campaign_id);
    ck_assert_str_eq(json_string_value(json_object_get(r, "kid")), k->kid);
    ck_assert_int_eq(json_integer_value(json_object_get(r, "amount_minor")),
                     amount);
    ck_assert_int_eq(json_integer_value(json_object_get(r, "seq")),
                     job->pledge.seq);
    json_decref(r);
}

START_TEST(batcher_commits_every_job_and_signs_receipts)
{
    struct store *s = testdb_store();
    struct campaign a;
    testdb_campaign(&a, s, "batcher");
    struct signer *k = signer_generate(NULL);
    testdb_key(k->kid, k->public_key);
    struct batcher_config cfg = {.conninfo = getenv("PLEDGED_TEST_DATABASE_URL"),
                                 .signer = k,
                                 .threads = 2,
                                 .max_batch = 16,
                                 .wait_us = 500};
    struct batcher *b = batcher_new(&cfg);
    ck_assert_ptr_nonnull(b);
    enum { N = 300 };
    static struct pledge_job jobs[N];
    static struct pledge_request reqs[N];
    struct waiter w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};
    for (int i = 0; i < N; i++) {
        memset(&jobs[i], 0, sizeof jobs[i]);
        reqs[i] = testdb_request(100 + i);
        memcpy(jobs[i].campaign_id, a.id, sizeof a.id);
        jobs[i].req = &reqs[i];
        jobs[i].done = job_done;
        jobs[i].ctx = &w;
        batcher_submit(b, &jobs[i]);
    }
    pthread_mutex_lock(&w.lock);
    while (w.done < N)
        pthread_cond_wait(&w.cond, &w.lock);
    pthread_mutex_unlock(&w.lock);
    batcher_free(b);
    int64_t sum = 0;
    for (int i = 0; i < N; i++) {
        ck_assert_int_eq(jobs[i].rc, 0);
        ck_assert_ptr_nonnull(jobs[i].receipt.body);
        assert_receipt_of(&jobs[i], k, 100 + i);
        sum += 100 + i;
        signed_doc_release(&jobs[i].receipt);
    }
    struct ledger_check check;
    ck_assert_uint_eq(testdb_audit(&check, s, a.id), 0);
    ck_assert_int_eq(check.entries, N);
    ck_assert_int_eq(check.raised_minor, sum);
    signer_free(k);
    store_free(s);
}
END_TEST

Suite *batch_suite(void)
{
    Suite *s = suite_create("batch");
    TCase *tc = tcase_create("batch");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, one_batch_mixes_campaigns_refusals_and_replays);
    tcase_add_test(tc, an_overflowing_pledge_fails_only_itself);
    tcase_add_test(tc, batcher_commits_every_job_and_signs_receipts);
    suite_add_tcase(s, tc);
    return s;
}
