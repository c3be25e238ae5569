#include "core/fault.h"
#include "core/money.h"
#include "core/tally.h"
#include "tests/suites.h"

static const struct currency *usd(void) { return currency_find("USD"); }

static void assert_display(int64_t minor, const char *code, const char *want)
{
    char out[MONEY_DISPLAY_MAX];
    ck_assert_int_ge(money_format(out, sizeof out, minor, currency_find(code)),
                     0);
    ck_assert_str_eq(out, want);
}

START_TEST(display_matches_reference_page)
{
    assert_display(0, "USD", "0 $");
    assert_display(250000, "USD", "2,500 $");
    assert_display(500000, "USD", "5,000 $");
    assert_display(92900, "USD", "929 $");
    assert_display(1250, "USD", "12.50 $");
    assert_display(5, "USD", "0.05 $");
    assert_display(-305, "USD", "-3.05 $");
    assert_display(123456789012, "USD", "1,234,567,890.12 $");
    assert_display(100000000, "USD", "1,000,000 $");
}
END_TEST

START_TEST(display_follows_currency_exponent)
{
    assert_display(2500, "JPY", "2,500 ¥");
    assert_display(1234, "KWD", "1.234 KWD");
    assert_display(1000, "KWD", "1 KWD");
    assert_display(199, "EUR", "1.99 €");
}
END_TEST

START_TEST(display_handles_int64_extremes)
{
    assert_display(INT64_MAX, "USD", "92,233,720,368,547,758.07 $");
    assert_display(INT64_MIN, "USD", "-92,233,720,368,547,758.08 $");
}
END_TEST

START_TEST(display_refuses_short_buffer)
{
    char out[4];
    ck_assert_int_eq(money_format(out, sizeof out, 250000, usd()), -1);
}
END_TEST

START_TEST(add_and_sub_detect_overflow)
{
    int64_t r = 7;
    ck_assert_int_eq(money_add(&r, INT64_MAX, 1), FAULT_OVERFLOW);
    ck_assert_int_eq(r, 7); /* untouched on failure */
    ck_assert_int_eq(money_add(&r, INT64_MIN, -1), FAULT_OVERFLOW);
    ck_assert_int_eq(money_sub(&r, INT64_MIN, 1), FAULT_OVERFLOW);
    ck_assert_int_eq(money_sub(&r, 0, INT64_MIN), FAULT_OVERFLOW);
    ck_assert_int_eq(money_add(&r, INT64_MAX - 1, 1), 0);
    ck_assert(r == INT64_MAX);
    ck_assert_int_eq(money_sub(&r, 92900, 250000), 0);
    ck_assert(r == -157100);
}
END_TEST

static int64_t parsed(const char *s, const char *code, int want_rc)
{
    int64_t v = -42;
    ck_assert_int_eq(money_parse(&v, s, currency_find(code)), want_rc);
    return v;
}

START_TEST(parse_accepts_decimal_forms)
{
    ck_assert(parsed("12.50", "USD", 0) == 1250);
    ck_assert(parsed("12.5", "USD", 0) == 1250);
    ck_assert(parsed("2500", "USD", 0) == 250000);
    ck_assert(parsed("2,500", "USD", 0) == 250000);
    ck_assert(parsed("1,234,567.89", "USD", 0) == 123456789);
    ck_assert(parsed("-0.05", "USD", 0) == -5);
    ck_assert(parsed("0", "USD", 0) == 0);
    ck_assert(parsed("2500", "JPY", 0) == 2500);
    ck_assert(parsed("92233720368547758.07", "USD", 0) == INT64_MAX);
    ck_assert(parsed("-92233720368547758.08", "USD", 0) == INT64_MIN);
}
END_TEST

START_TEST(parse_refuses_bad_text)
{
    const char *bad[] = {"",     "-",      "1.",   ".5",    "1.234", "12a",
                         "1e3",  "1,00",   ",100", "1,0000", "+5",   " 5",
                         "5 ",   "0x10",   "1..2", "12,50",
                         "12,34,567", "1,2345,678"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(parsed(bad[i], "USD", FAULT_INVALID) == -42,
                      "accepted %s", bad[i]);
    parsed("1.5", "JPY", FAULT_INVALID);
}
END_TEST

START_TEST(parse_refuses_overflow)
{
    parsed("92233720368547758.08", "USD", FAULT_OVERFLOW);
    parsed("99999999999999999999", "USD", FAULT_OVERFLOW);
    parsed("-92233720368547758.09", "USD", FAULT_OVERFLOW);
}
END_TEST

START_TEST(currency_codes_are_exact)
{
    ck_assert_ptr_nonnull(currency_find("USD"));
    ck_assert_int_eq(currency_find("USD")->exponent, 2);
    ck_assert_int_eq(currency_find("JPY")->exponent, 0);
    ck_assert_ptr_null(currency_find("usd"));
    ck_assert_ptr_null(currency_find("US"));
    ck_assert_ptr_null(currency_find("USDX"));
    ck_assert_ptr_null(currency_find("XXX"));
    ck_assert_ptr_null(currency_find(NULL));
}
END_TEST

START_TEST(a_total_stops_at_the_signable_bound)
{
    int64_t t = MONEY_MAX_EXACT - 5;
    struct fault f = {0};
    ck_assert_int_eq(money_total_add(&t, 5, &f), 0);
    ck_assert_int_eq(t, MONEY_MAX_EXACT);
    ck_assert_int_eq(money_total_add(&t, 0, &f), 0);
    ck_assert_int_eq(money_total_add(&t, 1, &f), FAULT_TOTAL_LIMIT);
    ck_assert_str_eq(f.field, "amount_minor");
    ck_assert_int_eq(t, MONEY_MAX_EXACT); /* unchanged */
    struct fault g = {0};
    t = INT64_MAX - 1;
    ck_assert_int_eq(money_total_add(&t, 2, &g), FAULT_OVERFLOW);
    ck_assert_int_eq(t, INT64_MAX - 1);
    ck_assert_int_eq(money_total_add(&t, -t, NULL), 0); /* a refund */
    ck_assert_int_eq(t, 0);
}
END_TEST

START_TEST(a_tally_counts_past_int64_exactly)
{
    struct tally t = {0};
    char out[48];
    ck_assert_int_eq(tally_format(out, sizeof out, &t), 1);
    ck_assert_str_eq(out, "0");
    for (int i = 0; i < 1030; i++)
        tally_add(&t, MONEY_MAX_EXACT);
    tally_add(&t, -5); /* ignored: a counter only grows */
    ck_assert_int_gt(tally_format(out, sizeof out, &t), 0);
    ck_assert_str_eq(out, "9277415232383220730"); /* 1030 * (2^53 - 1) */
    t = (struct tally){0};
    tally_add(&t, INT64_MAX);
    tally_add(&t, INT64_MAX);
    ck_assert_int_gt(tally_format(out, sizeof out, &t), 0);
    ck_assert_str_eq(out, "18446744073709551614");
    ck_assert_int_eq(tally_format(out, 5, &t), -1);
}
END_TEST

Suite *money_suite(void)
{
    Suite *s = suite_create("money");
    TCase *tc = tcase_create("money");
    tcase_add_test(tc, display_matches_reference_page);
    tcase_add_test(tc, display_follows_currency_exponent);
    tcase_add_test(tc, display_handles_int64_extremes);
    tcase_add_test(tc, display_refuses_short_buffer);
    tcase_add_test(tc, add_and_sub_detect_overflow);
    tcase_add_test(tc, parse_accepts_decimal_forms);
    tcase_add_test(tc, parse_refuses_bad_text);
    tcase_add_test(tc, parse_refuses_overflow);
    tcase_add_test(tc, currency_codes_are_exact);
    tcase_add_test(tc, a_total_stops_at_the_signable_bound);
    tcase_add_test(tc, a_tally_counts_past_int64_exactly);
    suite_add_tcase(s, tc);
    return s;
}
