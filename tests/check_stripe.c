/* provider/stripe.c against stripe-stateful-mock, the independent Stripe
 * emulator that scripts/test starts on a loopback port
 * (PLEDGED_TEST_STRIPE_API); nothing here talks to api.stripe.com. What
 * Stripe holds is read back from the emulator itself (its charge list),
 * never from our own answers. */
#include "core/uuid.h"
#include "provider/stripe.h"
#include "tests/suites.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY "sk_test_pledged"

static const char *api(void)
{
    const char *url = getenv("PLEDGED_TEST_STRIPE_API");
    ck_assert_msg(url && *url, "PLEDGED_TEST_STRIPE_API is unset: run "
                               "through scripts/test (it starts the "
                               "emulator)");
    return url;
}

static struct stripe *client(unsigned tries)
{
    struct stripe_options o = {.api = api(),
                               .secret_key = KEY,
                               .tries = tries,
                               .backoff_ms = 20,
                               .timeout_ms = 5000};
    struct fault f = {0};
    struct stripe *s = stripe_new(&o, &f);
    ck_assert_msg(s != NULL, "%s", f.message);
    return s;
}

static size_t collect(char *p, size_t size, size_t n, void *ctx)
{
    (void)size;
    fwrite(p, 1, n, ctx);
    return n;
}

/* The emulator's own charge list: how many charges carry
 * metadata[pledge_id] = pledge, and how many of them were paid. */
static int charges_of(const char *pledge, int *paid)
{
    char url[512], *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    snprintf(url, sizeof url, "%s/v1/charges?limit=1000000", api());
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_USERPWD, KEY ":");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, mem);
    ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
    curl_easy_cleanup(c);
    fclose(mem);
    json_t *list = json_loads(text, 0, NULL);
    ck_assert_ptr_nonnull(list);
    ck_assert(!json_is_true(json_object_get(list, "has_more")));
    int n = 0;
    size_t i;
    json_t *ch;
    *paid = 0;
    json_array_foreach(json_object_get(list, "data"), i, ch)
    {
        const char *p = json_string_value(
            json_object_get(json_object_get(ch, "metadata"), "pledge_id"));
        if (p && strcmp(p, pledge) == 0) {
            n++;
            *paid += json_is_true(json_object_get(ch, "paid"));
        }
    }
    json_decref(list);
    free(text);
    return n;
}

static void key_for(char key[STRIPE_IDEM_MAX], const char *op,
                    const char *pledge)
{
    ck_assert_int_eq(stripe_idem_key(key, op, pledge, NULL), 0);
}

START_TEST(card_saved_then_charged_and_captured_once)
{
    struct stripe *s = client(4);
    char pledge[UUID_STR_LEN], key[STRIPE_IDEM_MAX], cus[STRIPE_ID_MAX];
    struct stripe_call call;
    struct fault f = {0};
    uuid_v4(pledge);
    key_for(key, "customer", pledge);
    ck_assert_int_eq(stripe_customer_create(cus, &call, s, "tok_visa", key, &f),
                     0);
    ck_assert(strncmp(cus, "cus_", 4) == 0);
    ck_assert_uint_eq(call.tries, 1);
    ck_assert_int_eq(call.status, 200);
    struct stripe_charge_request req = {.amount = 2500,
                                        .currency = "USD",
                                        .customer = cus,
                                        .capture = true,
                                        .pledge_id = pledge};
    struct stripe_charge ch;
    key_for(key, "charge", pledge);
    ck_assert_int_eq(stripe_charge_create(&ch, &call, s, &req, key, &f), 0);
    ck_assert(strncmp(ch.id, "ch_", 3) == 0);
    ck_assert_str_eq(ch.status, "succeeded");
    ck_assert(ch.paid && ch.captured);
    ck_assert_int_eq(ch.amount, 2500);
    ck_assert_str_eq(ch.currency, "USD");
    ck_assert_str_eq(ch.pledge_id, pledge);
    ck_assert_str_eq(ch.method, "card");
    ck_assert(!call.replayed);
    ck_assert(call.request_id[0] != '\0');
    int paid, n = charges_of(pledge, &paid);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(paid, 1);
    stripe_free(s);
}
END_TEST

START_TEST(declined_card_is_a_402_and_nothing_is_paid)
{
    struct stripe *s = client(4);
    char pledge[UUID_STR_LEN], key[STRIPE_IDEM_MAX], cus[STRIPE_ID_MAX];
    struct stripe_call call;
    struct fault f = {0};
    uuid_v4(pledge);
    /* Saving a declined card fails already: no customer, no charge. */
    key_for(key, "customer", pledge);
    ck_assert_int_eq(
        stripe_customer_create(cus, &call, s, "tok_chargeDeclined", key, &f),
        FAULT_DECLINED);
    ck_assert_str_eq(cus, "");
    ck_assert_uint_eq(call.tries, 1); /* a decline is never retried */
    ck_assert_int_eq(call.status, 402);
    ck_assert_str_eq(call.error_code, "card_declined");
    ck_assert_str_eq(fault_name(f.code), "card_declined");
    ck_assert_str_eq(f.message, "the card was declined");
    /* Charging a declined token directly: Stripe keeps a failed charge. */
    struct stripe_charge_request req = {
        .amount = 1200,
        .currency = "usd",
        .pledge_id = pledge,
        .source = "tok_chargeDeclinedInsufficientFunds",
        .capture = true};
    struct stripe_charge ch;
    struct fault f2 = {0};
    key_for(key, "charge", pledge);
    ck_assert_int_eq(stripe_charge_create(&ch, &call, s, &req, key, &f2),
                     FAULT_DECLINED);
    ck_assert_uint_eq(call.tries, 1);
    ck_assert_str_eq(ch.status, "failed");
    ck_assert_str_eq(ch.failure_code, "card_declined");
    ck_assert(strncmp(ch.id, "ch_", 3) == 0);
    ck_assert_str_eq(call.decline_code, "insufficient_funds");
    /* The reason stays out of what a donor is told. */
    ck_assert_ptr_null(strstr(f2.message, "insufficient"));
    /* A card that saves but fails when charged (tok_chargeCustomerFail):
     * the decline comes from charging the customer. */
    key_for(key, "customer-2", pledge);
    ck_assert_int_eq(stripe_customer_create(cus, &call, s,
                                            "tok_chargeCustomerFail", key, &f),
                     0);
    req.source = NULL;
    req.customer = cus;
    key_for(key, "charge-2", pledge);
    struct fault f3 = {0};
    ck_assert_int_eq(stripe_charge_create(&ch, &call, s, &req, key, &f3),
                     FAULT_DECLINED);
    ck_assert_str_eq(ch.failure_code, "card_declined");
    ck_assert_int_eq(ch.amount, 1200);
    ck_assert_str_eq(ch.currency, "USD");
    int paid, n = charges_of(pledge, &paid);
    ck_assert_int_eq(n, 2); /* two failed charges, as Stripe keeps them */
    ck_assert_int_eq(paid, 0);
    stripe_free(s);
}
END_TEST

START_TEST(rate_limited_twice_then_charged_once_under_one_key)
{
    struct stripe *s = client(4);
    char pledge[UUID_STR_LEN], key[STRIPE_IDEM_MAX], token[128];
    struct stripe_call call;
    struct fault f = {0};
    uuid_v4(pledge);
    /* The emulator answers this token 429, 429, then charges it. */
    snprintf(token, sizeof token, "tok_429|tok_429|tok_visa|%.8s", pledge);
    struct stripe_charge_request req = {.amount = 5000,
                                        .currency = "USD",
                                        .source = token,
                                        .capture = true,
                                        .pledge_id = pledge};
    struct stripe_charge ch;
    key_for(key, "charge", pledge);
    ck_assert_int_eq(stripe_charge_create(&ch, &call, s, &req, key, &f), 0);
    ck_assert_uint_eq(call.tries, 3);
    ck_assert(ch.paid);
    int paid, n = charges_of(pledge, &paid);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(paid, 1);
    stripe_free(s);
}
END_TEST

START_TEST(rate_limited_for_good_gives_up_after_the_tries)
{
    struct stripe *s = client(3);
    char pledge[UUID_STR_LEN], key[STRIPE_IDEM_MAX];
    struct stripe_call call;
    struct fault f = {0};
    uuid_v4(pledge);
    struct stripe_charge_request req = {.amount = 5000,
                                        .currency = "USD",
                                        .source = "tok_429",
                                        .capture = true,
                                        .pledge_id = pledge};
    struct stripe_charge ch;
    key_for(key, "charge", pledge);
    ck_assert_int_eq(stripe_charge_create(&ch, &call, s, &req, key, &f),
                     FAULT_PROVIDER);
    ck_assert_uint_eq(call.tries, 3);
    ck_assert_int_eq(call.status, 429);
    ck_assert_str_eq(fault_name(f.code), "provider_unavailable");
    int paid;
    ck_assert_int_eq(charges_of(pledge, &paid), 0);
    stripe_free(s);
}
END_TEST

/* Stripe stores a 500 under its key like any result: a retry with the
 * same key gets the same 500 back (Idempotent-Replayed), which is how we
 * can tell that every try carried the same key. The emulator would have
 * charged the token on its second use under any other key. */
START_TEST(server_error_is_retried_under_the_same_key_and_never_charges)
{
    struct stripe *s = client(4);
    char pledge[UUID_STR_LEN], key[STRIPE_IDEM_MAX], token[128];
    struct stripe_call call;
    struct fault f = {0};
    uuid_v4(pledge);
    snprintf(token, sizeof token, "tok_500|tok_visa|%.8s", pledge);
    struct stripe_charge_request req = {.amount = 5000,
                                        .currency = "USD",
                                        .source = token,
                                        .capture = true,
                                        .pledge_id = pledge};
    struct stripe_charge ch;
    key_for(key, "charge", pledge);
    ck_assert_int_eq(stripe_charge_create(&ch, &call, s, &req, key, &f),
                     FAULT_PROVIDER);
    ck_assert_uint_eq(call.tries, 4);
    ck_assert_int_eq(call.status, 500);
    ck_assert(call.replayed);
    ck_assert(strstr(f.hint, "same Idempotency-Key") != NULL);
    int paid;
    ck_assert_int_eq(charges_of(pledge, &paid), 0);
    stripe_free(s);
}
END_TEST

/* A caller that crashed after Stripe charged, and charges again with the
 * key of the same pledge, gets the first charge back. */
START_TEST(the_same_key_again_returns_the_first_charge)
{
    struct stripe *s = client(4);
    char pledge[UUID_STR_LEN], key[STRIPE_IDEM_MAX];
    struct stripe_call call;
    struct fault f = {0};
    uuid_v4(pledge);
    struct stripe_charge_request req = {.amount = 1500,
                                        .currency = "USD",
                                        .source = "tok_visa",
                                        .capture = true,
                                        .pledge_id = pledge};
    struct stripe_charge first, again;
    key_for(key, "charge", pledge);
    ck_assert_int_eq(stripe_charge_create(&first, &call, s, &req, key, &f), 0);
    ck_assert(!call.replayed);
    ck_assert_int_eq(stripe_charge_create(&again, &call, s, &req, key, &f), 0);
    ck_assert(call.replayed);
    ck_assert_str_eq(again.id, first.id);
    int paid;
    ck_assert_int_eq(charges_of(pledge, &paid), 1);
    /* The key with another body is a bug of ours, not a new charge. */
    req.amount = 1600;
    ck_assert_int_eq(stripe_charge_create(&again, &call, s, &req, key, &f),
                     FAULT_INTERNAL);
    ck_assert_int_eq(charges_of(pledge, &paid), 1);
    stripe_free(s);
}
END_TEST

START_TEST(authorised_then_captured_later)
{
    struct stripe *s = client(4);
    char pledge[UUID_STR_LEN], key[STRIPE_IDEM_MAX];
    struct stripe_call call;
    struct fault f = {0};
    uuid_v4(pledge);
    struct stripe_charge_request req = {.amount = 3000,
                                        .currency = "EUR",
                                        .source = "tok_mastercard",
                                        .capture = false,
                                        .pledge_id = pledge};
    struct stripe_charge held, done, again;
    key_for(key, "charge", pledge);
    ck_assert_int_eq(stripe_charge_create(&held, &call, s, &req, key, &f), 0);
    ck_assert(held.paid && !held.captured);
    key_for(key, "capture", pledge);
    ck_assert_int_eq(stripe_charge_capture(&done, &call, s, held.id, key, &f),
                     0);
    ck_assert_str_eq(done.id, held.id);
    ck_assert(done.captured);
    ck_assert_str_eq(done.currency, "EUR");
    /* The same capture again is replayed; another one is a conflict. */
    ck_assert_int_eq(stripe_charge_capture(&again, &call, s, held.id, key, &f),
                     0);
    ck_assert(call.replayed);
    key_for(key, "capture-2", pledge);
    ck_assert_int_eq(stripe_charge_capture(&again, &call, s, held.id, key, &f),
                     FAULT_CONFLICT);
    ck_assert_int_eq(stripe_charge_get(&again, &call, s, held.id, &f), 0);
    ck_assert(again.captured);
    stripe_free(s);
}
END_TEST

START_TEST(refunds_in_parts_down_to_nothing_left)
{
    struct stripe *s = client(4);
    char pledge[UUID_STR_LEN], key[STRIPE_IDEM_MAX];
    struct stripe_call call;
    struct fault f = {0};
    uuid_v4(pledge);
    struct stripe_charge_request req = {.amount = 2500,
                                        .currency = "USD",
                                        .source = "tok_visa",
                                        .capture = true,
                                        .pledge_id = pledge};
    struct stripe_charge ch;
    struct stripe_refund re;
    key_for(key, "charge", pledge);
    ck_assert_int_eq(stripe_charge_create(&ch, &call, s, &req, key, &f), 0);
    key_for(key, "refund-1", pledge);
    ck_assert_int_eq(stripe_refund_create(&re, &call, s, ch.id, 1000, key, &f),
                     0);
    ck_assert(strncmp(re.id, "re_", 3) == 0);
    ck_assert_str_eq(re.status, "succeeded");
    ck_assert_int_eq(re.amount, 1000);
    ck_assert_str_eq(re.currency, "USD");
    ck_assert_str_eq(re.charge, ch.id);
    ck_assert_int_eq(stripe_charge_get(&ch, &call, s, ch.id, &f), 0);
    ck_assert_int_eq(ch.amount_refunded, 1000);
    struct fault f2 = {0};
    key_for(key, "refund-2", pledge);
    ck_assert_int_eq(stripe_refund_create(&re, &call, s, ch.id, 2000, key, &f2),
                     FAULT_INVALID);
    ck_assert_str_eq(f2.field, "amount_minor");
    key_for(key, "refund-3", pledge);
    ck_assert_int_eq(stripe_refund_create(&re, &call, s, ch.id, 0, key, &f), 0);
    ck_assert_int_eq(re.amount, 1500); /* all that was left */
    struct fault f3 = {0};
    key_for(key, "refund-4", pledge);
    ck_assert_int_eq(stripe_refund_create(&re, &call, s, ch.id, 0, key, &f3),
                     FAULT_CONFLICT);
    struct fault f4 = {0};
    ck_assert_int_eq(stripe_refund_create(&re, &call, s, "ch_nosuchcharge", 100,
                                          "pledged-refund-x", &f4),
                     FAULT_NOT_FOUND);
    ck_assert_str_eq(f4.field, "charge");
    stripe_free(s);
}
END_TEST

START_TEST(a_refused_key_is_502_and_never_shown)
{
    const char *secret = "sk_live_DoNotLeakThis1234";
    struct stripe_options o = {.api = api(), .secret_key = secret};
    struct stripe *s = stripe_new(&o, NULL);
    struct stripe_charge ch;
    struct stripe_call call;
    struct fault f = {0};
    ck_assert_int_eq(stripe_charge_get(&ch, &call, s, "ch_1", &f),
                     FAULT_PROVIDER);
    ck_assert_uint_eq(call.tries, 1);
    ck_assert_int_eq(call.status, 401);
    char text[600];
    fault_describe(text, sizeof text, &f);
    ck_assert(strstr(text, "PLEDGED_STRIPE_SECRET_KEY") != NULL);
    ck_assert_ptr_null(strstr(text, "DoNotLeak"));
    ck_assert_ptr_null(strstr(text, "1234"));
    stripe_free(s);
}
END_TEST

START_TEST(configuration_we_refuse)
{
    const char *bad_urls[] = {"http://api.stripe.com",
                              "ftp://127.0.0.1",
                              "https://",
                              "https://a.b/v1",
                              "http://127.0.0.1.evil.example",
                              "https://user@host"};
    for (size_t i = 0; i < sizeof bad_urls / sizeof *bad_urls; i++) {
        struct stripe_options o = {.api = bad_urls[i], .secret_key = KEY};
        struct fault f = {0};
        ck_assert_msg(stripe_new(&o, &f) == NULL, "%s", bad_urls[i]);
        ck_assert_str_eq(f.field, "PLEDGED_STRIPE_API");
    }
    struct stripe_options ok = {.api = "https://api.stripe.com/",
                                .secret_key = KEY};
    struct stripe *s = stripe_new(&ok, NULL);
    ck_assert_ptr_nonnull(s);
    stripe_free(s);
    struct stripe_options nokey = {.api = api(), .secret_key = ""};
    struct fault f = {0};
    ck_assert_ptr_null(stripe_new(&nokey, &f));
    ck_assert_int_eq(f.code, FAULT_INVALID);
    struct stripe_options blank = {.api = api(), .secret_key = "sk_test x"};
    ck_assert_ptr_null(stripe_new(&blank, NULL));
    unsetenv("PLEDGED_STRIPE_SECRET_KEY");
    struct fault f2 = {0};
    ck_assert_ptr_null(stripe_from_env(&f2));
    ck_assert_int_eq(f2.code, FAULT_NOT_FOUND);
    stripe_free(NULL);
}
END_TEST

START_TEST(keys_and_arguments_we_refuse_before_sending)
{
    char key[STRIPE_IDEM_MAX], long_id[400];
    ck_assert_int_eq(stripe_idem_key(key, "charge", "abc-1", NULL), 0);
    ck_assert_str_eq(key, "pledged-charge-abc-1");
    ck_assert_int_eq(stripe_idem_key(key, "charge", "a b", NULL),
                     FAULT_INVALID);
    ck_assert_int_eq(stripe_idem_key(key, "charge", "a\r\nX-Evil: 1", NULL),
                     FAULT_INVALID);
    memset(long_id, 'a', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    ck_assert_int_eq(stripe_idem_key(key, "charge", long_id, NULL),
                     FAULT_INVALID);
    struct stripe *s = client(1);
    struct stripe_charge ch;
    struct stripe_call call = {.tries = 99};
    struct stripe_charge_request req = {
        .amount = 0, .currency = "USD", .source = "tok_visa", .pledge_id = "p"};
    ck_assert_int_eq(stripe_charge_create(&ch, &call, s, &req, "k", NULL),
                     FAULT_INVALID);
    req.amount = 100;
    req.currency = "US";
    ck_assert_int_eq(stripe_charge_create(&ch, &call, s, &req, "k", NULL),
                     FAULT_INVALID);
    req.currency = "USD";
    req.customer = "cus_1"; /* and a source */
    ck_assert_int_eq(stripe_charge_create(&ch, &call, s, &req, "k", NULL),
                     FAULT_INVALID);
    req.customer = NULL;
    ck_assert_int_eq(stripe_charge_create(&ch, &call, s, &req, "a key", NULL),
                     FAULT_INVALID);
    ck_assert_int_eq(
        stripe_charge_capture(&ch, &call, s, "ch_1/../x", "k", NULL),
        FAULT_INVALID);
    ck_assert_uint_eq(call.tries, 99); /* nothing was sent */
    stripe_free(s);
}
END_TEST

/* One client, several threads charging at once (make asan / tsan). */
static void *charge_three(void *arg)
{
    struct stripe *s = arg;
    for (int i = 0; i < 3; i++) {
        char pledge[UUID_STR_LEN], key[STRIPE_IDEM_MAX];
        uuid_v4(pledge);
        if (stripe_idem_key(key, "charge", pledge, NULL) != 0)
            return "key";
        struct stripe_charge_request req = {.amount = 100 + i,
                                            .currency = "USD",
                                            .source = "tok_visa",
                                            .capture = true,
                                            .pledge_id = pledge};
        struct stripe_charge ch;
        if (stripe_charge_create(&ch, NULL, s, &req, key, NULL) != 0 ||
            strcmp(ch.pledge_id, pledge) != 0)
            return "charge";
    }
    return NULL;
}

START_TEST(one_client_serves_threads_at_once)
{
    struct stripe *s = client(4);
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, charge_three, s), 0);
    for (int i = 0; i < 4; i++) {
        void *failed;
        pthread_join(t[i], &failed);
        ck_assert_msg(failed == NULL, "thread %d: %s", i, (char *)failed);
    }
    stripe_free(s);
}
END_TEST

Suite *stripe_suite(void)
{
    Suite *s = suite_create("stripe");
    TCase *tc = tcase_create("stripe");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, card_saved_then_charged_and_captured_once);
    tcase_add_test(tc, declined_card_is_a_402_and_nothing_is_paid);
    tcase_add_test(tc, rate_limited_twice_then_charged_once_under_one_key);
    tcase_add_test(tc, rate_limited_for_good_gives_up_after_the_tries);
    tcase_add_test(
        tc, server_error_is_retried_under_the_same_key_and_never_charges);
    tcase_add_test(tc, the_same_key_again_returns_the_first_charge);
    tcase_add_test(tc, authorised_then_captured_later);
    tcase_add_test(tc, refunds_in_parts_down_to_nothing_left);
    tcase_add_test(tc, a_refused_key_is_502_and_never_shown);
    tcase_add_test(tc, configuration_we_refuse);
    tcase_add_test(tc, keys_and_arguments_we_refuse_before_sending);
    tcase_add_test(tc, one_client_serves_threads_at_once);
    suite_add_tcase(s, tc);
    return s;
}
