#include "core/campaign.h"
#include "core/clock.h"
#include "core/origin.h"
#include "core/pledge.h"
#include "core/text.h"
#include "tests/suites.h"

#include <string.h>

static struct campaign reference(void)
{
    struct campaign c;
    campaign_defaults(&c);
    strcpy(c.id, "help-us");
    strcpy(c.title, "Help us");
    strcpy(c.currency, "USD");
    c.goal_minor = 500000;
    c.tiers[0] = 0;
    c.tiers[1] = 250000;
    c.tiers[2] = 500000;
    c.ntiers = 3;
    return c;
}

static int classify(const struct campaign *c, int64_t amount,
                    enum pledge_kind *kind)
{
    struct fault f = {0};
    int rc = campaign_classify(kind, c, amount, &f);
    if (rc)
        ck_assert_str_eq(f.field, "amount_minor");
    return rc;
}

START_TEST(tier_amounts_are_tier_pledges)
{
    struct campaign c = reference();
    enum pledge_kind k;
    for (size_t i = 0; i < c.ntiers; i++) {
        ck_assert_int_eq(classify(&c, c.tiers[i], &k), 0);
        ck_assert_int_eq(k, PLEDGE_TIER);
    }
}
END_TEST

START_TEST(zero_tier_is_a_free_supporter_pledge)
{
    struct campaign c = reference();
    enum pledge_kind k = PLEDGE_CUSTOM;
    ck_assert_int_eq(classify(&c, 0, &k), 0);
    ck_assert_int_eq(k, PLEDGE_TIER);
    c.tiers[0] = 100; /* without a 0 tier, 0 is below the custom minimum */
    ck_assert_int_eq(classify(&c, 0, &k), FAULT_AMOUNT_RANGE);
}
END_TEST

START_TEST(custom_bounds_are_inclusive)
{
    struct campaign c = reference();
    enum pledge_kind k;
    ck_assert_int_eq(classify(&c, 99, &k), FAULT_AMOUNT_RANGE);
    ck_assert_int_eq(classify(&c, 100, &k), 0);
    ck_assert_int_eq(k, PLEDGE_CUSTOM);
    ck_assert_int_eq(classify(&c, 1, &k), FAULT_AMOUNT_RANGE);
    ck_assert_int_eq(classify(&c, 100000000, &k), 0);
    ck_assert_int_eq(k, PLEDGE_CUSTOM);
    ck_assert_int_eq(classify(&c, 100000001, &k), FAULT_AMOUNT_RANGE);
    ck_assert_int_eq(classify(&c, -1, &k), FAULT_AMOUNT_RANGE);
    ck_assert_int_eq(classify(&c, INT64_MAX, &k), FAULT_AMOUNT_RANGE);
    ck_assert_int_eq(classify(&c, INT64_MIN, &k), FAULT_AMOUNT_RANGE);
}
END_TEST

START_TEST(a_tier_outside_custom_bounds_is_still_a_tier)
{
    struct campaign c = reference();
    c.max_custom_minor = 1000;
    enum pledge_kind k;
    ck_assert_int_eq(classify(&c, 250000, &k), 0);
    ck_assert_int_eq(k, PLEDGE_TIER);
    ck_assert_int_eq(classify(&c, 250001, &k), FAULT_AMOUNT_RANGE);
}
END_TEST

static void assert_invalid(const struct campaign *c, const char *field)
{
    struct fault f = {0};
    ck_assert_int_eq(campaign_validate(c, &f), FAULT_INVALID);
    ck_assert_str_eq(f.field, field);
}

START_TEST(validation_names_the_bad_field)
{
    struct campaign c = reference();
    struct fault f = {0};
    ck_assert_int_eq(campaign_validate(&c, &f), 0);
    c = reference(), strcpy(c.id, "Help_Us"), assert_invalid(&c, "id");
    c = reference(), c.id[0] = '\0', assert_invalid(&c, "id");
    char long_id[80];
    memset(long_id, 'a', 65);
    long_id[65] = '\0';
    ck_assert(!campaign_id_valid(long_id));
    long_id[64] = '\0';
    ck_assert(campaign_id_valid(long_id));
    ck_assert(!campaign_id_valid("../etc"));
    ck_assert(!campaign_id_valid("a b"));
    c = reference(), c.title[0] = '\0', assert_invalid(&c, "title");
    c = reference(), strcpy(c.title, "bad \xff utf8"), assert_invalid(&c, "title");
    c = reference(), strcpy(c.currency, "usd"), assert_invalid(&c, "currency");
    c = reference(), c.goal_minor = 0, assert_invalid(&c, "goal_minor");
    c = reference(), c.goal_minor = INT64_MAX, assert_invalid(&c, "goal_minor");
    c = reference(), c.ntiers = 0, assert_invalid(&c, "tiers");
    c = reference(), c.tiers[2] = 250000, assert_invalid(&c, "tiers");
    c = reference(), c.tiers[0] = 300000, assert_invalid(&c, "tiers");
    c = reference(), c.tiers[0] = -5, assert_invalid(&c, "tiers");
    c = reference(), c.min_custom_minor = 0;
    assert_invalid(&c, "min_custom_minor");
    c = reference(), c.max_custom_minor = 99;
    assert_invalid(&c, "max_custom_minor");
    c = reference(), strcpy(c.origins[0], "javascript:alert(1)"), c.norigins = 1;
    assert_invalid(&c, "allowed_origins");
    c = reference(), strcpy(c.origins[0], "https://news.example/path");
    c.norigins = 1, assert_invalid(&c, "allowed_origins");
    c = reference(), strcpy(c.origins[0], "https://news.example:8443");
    c.norigins = 1;
    ck_assert_int_eq(campaign_validate(&c, &f), 0);
}
END_TEST

START_TEST(origins_are_exactly_what_a_browser_sends)
{
    static const char *const good[] = {
        "https://a.example", "http://localhost:8080", "https://127.0.0.1:443",
        "http://[::1]:8080", "https://x-y.example.co.uk", "http://a:65535"};
    static const char *const bad[] = {
        "https://a\"b", "https://a\\b.example", "https://a b", "*",
        "https://a\r\nb", "https://*.example", "https://a.example/",
        "https://a.example:", "https://a.example:0", "https://a:65536",
        "https://a:080", "https://u@a", "https://A.example", "https://",
        "https://-a", "https://a-", "https://a..b", "https://[::1",
        "https://[::1]x", "https://[::G]", "ftp://a", "https://a:1:2"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        ck_assert_msg(origin_valid(good[i], strlen(good[i])), "%s", good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(!origin_valid(bad[i], strlen(bad[i])), "%s", bad[i]);
}
END_TEST

START_TEST(timestamps_outside_what_we_format_are_refused)
{
    int64_t us;
    ck_assert_int_eq(clock_parse(&us, "9999-12-31T23:59:59.999999Z"), 0);
    ck_assert_int_eq(us, CLOCK_MAX_US);
    char out[CLOCK_RFC3339_LEN];
    clock_format(out, us);
    ck_assert_str_eq(out, "9999-12-31T23:59:59.999999Z");
    ck_assert_int_eq(clock_parse(&us, "9999-12-31T23:59:59-23:59"),
                     FAULT_INVALID);
    ck_assert_int_eq(clock_parse(&us, "1970-01-01T00:00:00+00:01"),
                     FAULT_INVALID);
    ck_assert_int_eq(clock_parse(&us, "1970-01-01T00:00:00Z"), 0);
    ck_assert_int_eq(us, 0);
    struct campaign c = reference();
    struct fault f = {0};
    c.has_deadline = true, c.deadline_us = CLOCK_MAX_US + 1;
    ck_assert_int_eq(campaign_validate(&c, &f), FAULT_INVALID);
    ck_assert_str_eq(f.field, "deadline");
}
END_TEST

START_TEST(closed_or_past_deadline_refuses_pledges)
{
    struct campaign c = reference();
    struct fault f = {0};
    ck_assert_int_eq(campaign_accepts(&c, 1000, &f), 0);
    c.open = false;
    ck_assert_int_eq(campaign_accepts(&c, 1000, &f), FAULT_CLOSED);
    c = reference();
    c.has_deadline = true;
    c.deadline_us = 5000;
    ck_assert_int_eq(campaign_accepts(&c, 4999, NULL), 0);
    ck_assert_int_eq(campaign_accepts(&c, 5000, NULL), FAULT_CLOSED);
}
END_TEST

START_TEST(percent_is_floored_and_safe)
{
    struct campaign c = reference();
    ck_assert_int_eq(campaign_percent(&c, 92900), 18);
    ck_assert_int_eq(campaign_percent(&c, 0), 0);
    ck_assert_int_eq(campaign_percent(&c, 1000000), 200);
    ck_assert(campaign_percent(&c, INT64_MAX) > 0);
}
END_TEST

static int check_field(const char *field, const char *s, size_t len)
{
    struct pledge_request r = {.amount_minor = 100};
    if (strcmp(field, "donor_name") == 0)
        r.donor_name = s, r.donor_name_len = len;
    else if (strcmp(field, "donor_email") == 0)
        r.donor_email = s, r.donor_email_len = len;
    else
        r.message = s, r.message_len = len;
    struct fault f = {0};
    int rc = pledge_request_check(&r, &f);
    if (rc)
        ck_assert_str_eq(f.field, field);
    return rc;
}

START_TEST(donor_fields_have_character_limits)
{
    static char text[5000];
    memset(text, 'x', 1001);
    ck_assert_int_eq(check_field("donor_name", text, 200), 0);
    ck_assert_int_eq(check_field("donor_name", text, 201), FAULT_INVALID);
    ck_assert_int_eq(check_field("message", text, 1000), 0);
    ck_assert_int_eq(check_field("message", text, 1001), FAULT_INVALID);
    /* 200 characters of 4 bytes each are still 200 characters. */
    for (int i = 0; i < 201; i++)
        memcpy(text + 4 * i, "\xf0\x9f\x8e\x89", 4);
    ck_assert_int_eq(check_field("donor_name", text, 800), 0);
    ck_assert_int_eq(check_field("donor_name", text, 804), FAULT_INVALID);
    /* 64 + "@" + 63 "." 63 "." 61 = 254 bytes, the longest address. */
    memset(text, 'a', 300);
    text[64] = '@', text[128] = '.', text[192] = '.';
    ck_assert_int_eq(check_field("donor_email", text, 254), 0);
    ck_assert_int_eq(check_field("donor_email", text, 255), FAULT_INVALID);
    ck_assert_int_eq(check_field("donor_email", "no-at-sign", 10),
                     FAULT_INVALID);
}
END_TEST

START_TEST(donor_text_refuses_controls_and_odd_emails)
{
    ck_assert_int_eq(check_field("donor_name", "\x1b[31mRED\x07", 12),
                     FAULT_INVALID);
    ck_assert_int_eq(check_field("donor_name", "a\xc2\x9b" "b", 4),
                     FAULT_INVALID); /* C1 CSI */
    ck_assert_int_eq(check_field("donor_name", "a\nb", 3), FAULT_INVALID);
    ck_assert_int_eq(check_field("message", "a\r\nb\nc", 6), 0);
    ck_assert_int_eq(check_field("message", "a\tb", 3), 0);
    ck_assert_int_eq(check_field("message", "a\x1b[2J", 5), FAULT_INVALID);
    ck_assert_int_eq(check_field("donor_name", "a\tb", 3), FAULT_INVALID);
    ck_assert_int_eq(check_field("donor_email", "a@b\r\nBcc: x@y", 15),
                     FAULT_INVALID);
    ck_assert_int_eq(check_field("donor_email", "a@b..c", 6), FAULT_INVALID);
    ck_assert_int_eq(check_field("donor_email", "a.b+c@d-e.f", 11), 0);
    char out[16];
    ck_assert_uint_eq(text_normalise_newlines(out, sizeof out, "a\r\nb\rc\n",
                                              7),
                      6);
    ck_assert_str_eq(out, "a\nb\nc\n");
}
END_TEST

START_TEST(donor_fields_must_be_utf8_without_nul)
{
    ck_assert_int_eq(check_field("donor_name", "Zoë", 4), 0);
    ck_assert_int_eq(check_field("donor_name", "a\0b", 3), FAULT_INVALID);
    ck_assert_int_eq(check_field("donor_name", "\xc3", 1), FAULT_INVALID);
    ck_assert_int_eq(check_field("donor_name", "\xc0\xaf", 2), FAULT_INVALID);
    ck_assert_int_eq(check_field("message", "\xed\xa0\x80", 3),
                     FAULT_INVALID); /* a UTF-16 surrogate */
    ck_assert_int_eq(check_field("message", "\xf4\x90\x80\x80", 4),
                     FAULT_INVALID); /* above U+10FFFF */
    ck_assert_int_eq(check_field("message", "tab\tand\nnewline", 15), 0);
}
END_TEST

START_TEST(idempotency_keys_are_printable_ascii)
{
    char key[300];
    memset(key, 'k', sizeof key);
    ck_assert(idem_key_valid("a", 1));
    ck_assert(idem_key_valid("with space ~", 12));
    ck_assert(idem_key_valid(key, 255));
    ck_assert(!idem_key_valid(key, 256));
    ck_assert(!idem_key_valid("", 0));
    ck_assert(!idem_key_valid("tab\t", 4));
    ck_assert(!idem_key_valid("caf\xc3\xa9", 5));
}
END_TEST

Suite *campaign_suite(void)
{
    Suite *s = suite_create("campaign");
    TCase *tc = tcase_create("campaign");
    tcase_add_test(tc, tier_amounts_are_tier_pledges);
    tcase_add_test(tc, zero_tier_is_a_free_supporter_pledge);
    tcase_add_test(tc, custom_bounds_are_inclusive);
    tcase_add_test(tc, a_tier_outside_custom_bounds_is_still_a_tier);
    tcase_add_test(tc, validation_names_the_bad_field);
    tcase_add_test(tc, closed_or_past_deadline_refuses_pledges);
    tcase_add_test(tc, percent_is_floored_and_safe);
    tcase_add_test(tc, donor_fields_have_character_limits);
    tcase_add_test(tc, donor_fields_must_be_utf8_without_nul);
    tcase_add_test(tc, idempotency_keys_are_printable_ascii);
    tcase_add_test(tc, origins_are_exactly_what_a_browser_sends);
    tcase_add_test(tc, donor_text_refuses_controls_and_odd_emails);
    tcase_add_test(tc, timestamps_outside_what_we_format_are_refused);
    suite_add_tcase(s, tc);
    return s;
}
