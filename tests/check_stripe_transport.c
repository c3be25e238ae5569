/* provider/stripe.c's transport when Stripe is not there: a port with
 * nothing behind it, a peer that accepts and never answers. Real sockets
 * of this process, no emulator needed: each try, its backoff and its
 * timeout are observed from outside, by the clock. */
#include "provider/stripe.h"
#include "tests/suites.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define KEY "sk_test_pledged"

static long elapsed_ms(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (t1.tv_sec - t0->tv_sec) * 1000 +
           (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* A port with nothing behind it (bound, never listened on). */
START_TEST(unreachable_provider_is_retried_with_backoff_then_502)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u", ntohs(a.sin_port));
    struct stripe_options o = {
        .api = url, .secret_key = KEY, .tries = 3, .backoff_ms = 100};
    struct stripe *s = stripe_new(&o, NULL);
    struct stripe_charge_request req = {.amount = 100,
                                        .currency = "USD",
                                        .source = "tok_visa",
                                        .capture = true,
                                        .pledge_id = "p"};
    struct stripe_charge ch;
    struct stripe_call call;
    struct fault f = {0};
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ck_assert_int_eq(stripe_charge_create(&ch, &call, s, &req, "pledged-k", &f),
                     FAULT_PROVIDER);
    long ms = elapsed_ms(&t0);
    ck_assert_uint_eq(call.tries, 3);
    ck_assert_int_eq(call.status, 0);
    ck_assert(strstr(f.message, "could not be reached") != NULL);
    ck_assert_msg(ms >= 300 && ms < 3000,
                  "waited %ld ms (100 + 200 + "
                  "jitter expected)",
                  ms);
    stripe_free(s);
    close(fd);
}
END_TEST

/* A peer that accepts and never answers: each try ends at its timeout. */
START_TEST(silent_provider_times_out_each_try)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(listen(fd, 8), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u", ntohs(a.sin_port));
    struct stripe_options o = {.api = url,
                               .secret_key = KEY,
                               .tries = 2,
                               .backoff_ms = 10,
                               .timeout_ms = 300};
    struct stripe *s = stripe_new(&o, NULL);
    struct stripe_charge ch;
    struct stripe_call call;
    struct fault f = {0};
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ck_assert_int_eq(stripe_charge_get(&ch, &call, s, "ch_1", &f),
                     FAULT_PROVIDER);
    long ms = elapsed_ms(&t0);
    ck_assert_uint_eq(call.tries, 2);
    ck_assert(strstr(f.message, "could not be reached") != NULL);
    ck_assert_msg(ms >= 600 && ms < 3000, "took %ld ms", ms);
    stripe_free(s);
    close(fd);
}
END_TEST

Suite *stripe_transport_suite(void)
{
    Suite *s = suite_create("stripe_transport");
    TCase *tc = tcase_create("stripe_transport");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, unreachable_provider_is_retried_with_backoff_then_502);
    tcase_add_test(tc, silent_provider_times_out_each_try);
    suite_add_tcase(s, tc);
    return s;
}
