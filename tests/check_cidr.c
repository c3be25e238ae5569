#include "core/cidr.h"
#include "tests/suites.h"

#include <string.h>

static bool contains(const struct cidr_list *l, const char *addr)
{
    unsigned char a[16];
    size_t n = cidr_addr_parse(a, addr, strlen(addr));
    ck_assert_msg(n != 0, "%s", addr);
    return cidr_list_contains(l, a, n);
}

START_TEST(trusted_ranges_parse_and_match)
{
    struct cidr_list l;
    struct fault f = {0};
    ck_assert_int_eq(cidr_list_parse(&l, "10.0.0.0/8, 192.168.1.7 ::1/128"
                                         ",fd00::/8",
                                     &f),
                     0);
    ck_assert_uint_eq(l.n, 4);
    ck_assert(contains(&l, "10.255.0.1"));
    ck_assert(!contains(&l, "11.0.0.1"));
    ck_assert(contains(&l, "192.168.1.7"));
    ck_assert(!contains(&l, "192.168.1.8"));
    ck_assert(contains(&l, "::1"));
    ck_assert(contains(&l, "fd12:3456::1"));
    ck_assert(!contains(&l, "fe80::1"));
    ck_assert(contains(&l, "::ffff:10.1.2.3")); /* mapped: as IPv4 */
    ck_assert_int_eq(cidr_list_parse(&l, "", NULL), 0);
    ck_assert_uint_eq(l.n, 0);
    ck_assert(!contains(&l, "127.0.0.1"));
    ck_assert_int_eq(cidr_list_parse(&l, "127.0.0.1/0", NULL), 0);
    ck_assert(contains(&l, "8.8.8.8")); /* /0: everything, as asked */
}
END_TEST

START_TEST(bad_ranges_are_refused)
{
    static const char *const bad[] = {"10.0.0.0/33", "::1/129", "10.0.0/8",
                                      "10.0.0.0/", "10.0.0.0/-1", "host",
                                      "10.0.0.0/8x", "1.2.3.4/0008"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct cidr_list l;
        struct fault f = {0};
        ck_assert_msg(cidr_list_parse(&l, bad[i], &f) == FAULT_INVALID, "%s",
                      bad[i]);
        ck_assert_str_eq(f.field, "PLEDGED_TRUSTED_PROXIES");
    }
}
END_TEST

Suite *cidr_suite(void)
{
    Suite *s = suite_create("cidr");
    TCase *tc = tcase_create("cidr");
    tcase_add_test(tc, trusted_ranges_parse_and_match);
    tcase_add_test(tc, bad_ranges_are_refused);
    suite_add_tcase(s, tc);
    return s;
}
