/* Stripe-Signature checks against vectors signed by Stripe's own library
 * (tests/stripe/vectors.js, run by scripts/test, which passes the file in
 * PLEDGED_TEST_STRIPE_VECTORS): one loop test per vector, then the
 * behaviours no vector covers. */
#include "core/stripe_sig.h"
#include "tests/suites.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *vectors; /* loaded once, before Check forks */

static json_t *load_vectors(void)
{
    if (vectors == NULL) {
        const char *path = getenv("PLEDGED_TEST_STRIPE_VECTORS");
        json_error_t err;
        vectors = path ? json_load_file(path, 0, &err) : NULL;
    }
    return vectors;
}

static json_t *signature_case(int i)
{
    return json_array_get(json_object_get(load_vectors(), "signatures"),
                          (size_t)i);
}

static const char *text(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    ck_assert_msg(s != NULL, "vector field %s", key);
    return s;
}

START_TEST(no_vectors_means_no_test)
{
    ck_abort_msg("PLEDGED_TEST_STRIPE_VECTORS is unset or unreadable: run "
                 "through scripts/test (node tests/stripe/vectors.js)");
}
END_TEST

/* Each vector: Stripe's library signed it; we must agree with the verdict
 * the vector names, and fail for the reason it names. */
START_TEST(signed_by_stripe_verdict_matches)
{
    json_t *c = signature_case(_i);
    ck_assert_ptr_nonnull(c);
    const char *name = text(c, "name"), *payload = text(c, "payload");
    json_int_t now = json_integer_value(json_object_get(c, "now"));
    bool valid = json_is_true(json_object_get(c, "valid"));
    struct fault f = {0};
    int64_t t = -1;
    int rc =
        stripe_sig_verify(&t, text(c, "header"), (const unsigned char *)payload,
                          strlen(payload), text(c, "secrets"), now, &f);
    ck_assert_msg((rc == 0) == valid, "%s: expected %s, got %s (%s)", name,
                  valid ? "valid" : "invalid", rc == 0 ? "valid" : "invalid",
                  f.message);
    if (valid) {
        ck_assert_msg(t >= now - 300 && t <= now + 300, "%s: t", name);
    } else {
        ck_assert_int_eq(rc, FAULT_INVALID);
        ck_assert_str_eq(f.field, "Stripe-Signature");
        ck_assert_msg(strcmp(f.message, text(c, "reason")) == 0,
                      "%s: reason \"%s\", expected \"%s\"", name, f.message,
                      text(c, "reason"));
    }
}
END_TEST

/* The first vector is valid with secret A: its pieces for the tests
 * below. */
static void first_valid(const char **header, const char **payload, int64_t *now,
                        const char **secret)
{
    json_t *c = signature_case(0);
    ck_assert(json_is_true(json_object_get(c, "valid")));
    *header = text(c, "header");
    *payload = text(c, "payload");
    *now = json_integer_value(json_object_get(c, "now"));
    *secret = text(c, "secrets");
}

START_TEST(no_secret_configured_is_an_internal_fault)
{
    const char *h, *p, *k;
    int64_t now;
    first_valid(&h, &p, &now, &k);
    const char *none[] = {NULL, "", " , ,"};
    for (size_t i = 0; i < 3; i++) {
        struct fault f = {0};
        ck_assert_int_eq(stripe_sig_verify(NULL, h, (const unsigned char *)p,
                                           strlen(p), none[i], now, &f),
                         FAULT_INTERNAL);
    }
}
END_TEST

START_TEST(header_too_long_is_refused_before_any_work)
{
    const char *h, *p, *k;
    int64_t now;
    first_valid(&h, &p, &now, &k);
    size_t n = STRIPE_SIG_HEADER_MAX + 1;
    char *big = malloc(n + strlen(h) + 2);
    memset(big, ' ', n);
    strcpy(big + n, h); /* a valid header behind blanks, too long in all */
    struct fault f = {0};
    ck_assert_int_eq(stripe_sig_verify(NULL, big, (const unsigned char *)p,
                                       strlen(p), k, now, &f),
                     FAULT_INVALID);
    ck_assert_str_eq(f.message, "malformed header");
    free(big);
}
END_TEST

START_TEST(the_right_v1_after_many_wrong_ones_still_counts_up_to_the_cap)
{
    const char *h, *p, *k;
    int64_t now;
    first_valid(&h, &p, &now, &k);
    const char *sig = strstr(h, "v1=");
    ck_assert_ptr_nonnull(sig);
    char wrong[80], buf[4096];
    snprintf(wrong, sizeof wrong, ",v1=%064d", 0);
    for (int n_wrong = STRIPE_SIG_MAX_V1 - 1; n_wrong <= STRIPE_SIG_MAX_V1;
         n_wrong++) {
        int len = snprintf(buf, sizeof buf, "%.*s", (int)(sig - h - 1), h);
        for (int i = 0; i < n_wrong; i++)
            len += snprintf(buf + len, sizeof buf - (size_t)len, "%s", wrong);
        snprintf(buf + len, sizeof buf - (size_t)len, ",%s", sig);
        struct fault f = {0};
        int rc = stripe_sig_verify(NULL, buf, (const unsigned char *)p,
                                   strlen(p), k, now, &f);
        /* 15 wrong + the right one: looked at; 16 wrong: the right one is
         * past the cap. */
        ck_assert_int_eq(rc, n_wrong < STRIPE_SIG_MAX_V1 ? 0 : FAULT_INVALID);
    }
}
END_TEST

START_TEST(payload_is_compared_byte_for_byte_with_its_length)
{
    const char *h, *p, *k;
    int64_t now;
    first_valid(&h, &p, &now, &k);
    size_t n = strlen(p);
    char *copy = malloc(n + 1);
    memcpy(copy, p, n + 1);
    struct fault f = {0};
    /* One byte short, or a NUL inside: not the signed bytes. */
    ck_assert_int_ne(stripe_sig_verify(NULL, h, (const unsigned char *)copy,
                                       n - 1, k, now, &f),
                     0);
    copy[n / 2] = '\0';
    ck_assert_int_ne(stripe_sig_verify(NULL, h, (const unsigned char *)copy, n,
                                       k, now, NULL),
                     0);
    free(copy);
}
END_TEST

Suite *stripe_sig_suite(void)
{
    Suite *s = suite_create("stripe_sig");
    TCase *tc = tcase_create("stripe_sig");
    json_t *all = load_vectors();
    size_t n = json_array_size(json_object_get(all, "signatures"));
    if (n == 0) {
        tcase_add_test(tc, no_vectors_means_no_test);
    } else {
        tcase_add_loop_test(tc, signed_by_stripe_verdict_matches, 0, (int)n);
        tcase_add_test(tc, no_secret_configured_is_an_internal_fault);
        tcase_add_test(tc, header_too_long_is_refused_before_any_work);
        tcase_add_test(
            tc, the_right_v1_after_many_wrong_ones_still_counts_up_to_the_cap);
        tcase_add_test(tc, payload_is_compared_byte_for_byte_with_its_length);
    }
    suite_add_tcase(s, tc);
    return s;
}
