#include "core/canon.h"
#include "tests/suites.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *canon(const json_t *v, int want_rc)
{
    struct buf b;
    buf_init(&b);
    struct fault f = {0};
    ck_assert_int_eq(canon_write(&b, v, &f), want_rc);
    return buf_take(&b);
}

/* Python's json.dumps(x, sort_keys=True, separators=(",", ":"),
 * ensure_ascii=False) of the same value, which reaches Python as jansson's
 * ASCII-only output: a path that shares no code with canon.c. */
static char *python_canon(const json_t *v)
{
    char *ascii = json_dumps(v, JSON_ENSURE_ASCII | JSON_COMPACT |
                                    JSON_ENCODE_ANY);
    ck_assert_ptr_nonnull(ascii);
    char in[] = "/tmp/pledged-canon-XXXXXX";
    int fd = mkstemp(in);
    ck_assert_int_ge(fd, 0);
    ck_assert(write(fd, ascii, strlen(ascii)) == (ssize_t)strlen(ascii));
    close(fd);
    free(ascii);
    char cmd[256];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c 'import json,sys; "
             "sys.stdout.buffer.write(json.dumps(json.load(open(sys.argv[1])),"
             " sort_keys=True, separators=(\",\", \":\"), ensure_ascii=False)"
             ".encode())' %s",
             in);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    struct buf out;
    buf_init(&out);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
        buf_append(&out, chunk, n);
    ck_assert_int_eq(pclose(p), 0);
    unlink(in);
    return buf_take(&out);
}

static const char *const tricky[] = {
    "plain",
    "quote \" and backslash \\ and slash /",
    "controls \x01\x02\x07\b\t\n\v\f\r\x1b\x1f end",
    "del \x7f stays raw",
    "Zoë Ångström, São Paulo, Łódź",
    "日本語のテキスト",
    "emoji 🎉👩‍👩‍👧 and flags 🇵🇹",
    "line\u2028sep\u2029para",
    "=HYPERLINK(\"http://x\")",
    "",
    "\xef\xbb\xbf BOM",
    "𝄞 clef (astral plane)",
};

START_TEST(strings_match_python_byte_for_byte)
{
    for (size_t i = 0; i < sizeof tricky / sizeof tricky[0]; i++) {
        json_t *v = json_pack("{s:s, s:I, s:b, s:n}", "donor_name", tricky[i],
                              "amount_minor", (json_int_t)250000, "anonymous",
                              0, "message");
        ck_assert_ptr_nonnull(v);
        char *ours = canon(v, 0), *theirs = python_canon(v);
        ck_assert_msg(strcmp(ours, theirs) == 0, "case %zu:\n%s\n%s", i, ours,
                      theirs);
        free(ours);
        free(theirs);
        json_decref(v);
    }
}
END_TEST

START_TEST(nul_inside_a_string_is_escaped)
{
    json_t *v = json_stringn("a\0b", 3);
    char *ours = canon(v, 0), *theirs = python_canon(v);
    ck_assert_str_eq(ours, "\"a\\u0000b\"");
    ck_assert_str_eq(ours, theirs);
    free(ours);
    free(theirs);
    json_decref(v);
}
END_TEST

START_TEST(keys_sort_and_nest)
{
    json_t *v = json_loads(
        "{\"b\":1,\"a\":{\"z\":[3,{\"y\":null,\"x\":true}],\"A\":false},"
        "\"_\":-5,\"aa\":\"\",\"ab\":[]}", 0, NULL);
    ck_assert_ptr_nonnull(v);
    char *ours = canon(v, 0), *theirs = python_canon(v);
    ck_assert_str_eq(ours, "{\"_\":-5,\"a\":{\"A\":false,\"z\":[3,{\"x\":true,"
                           "\"y\":null}]},\"aa\":\"\",\"ab\":[],\"b\":1}");
    ck_assert_str_eq(ours, theirs);
    free(ours);
    free(theirs);
    json_decref(v);
}
END_TEST

START_TEST(non_ascii_keys_sort_by_utf16_units)
{
    /* U+FF21 sorts after U+1D11E in code points but before it in UTF-16,
     * where U+1D11E is the surrogate pair D834 DD1E. */
    json_t *v = json_pack("{s:i, s:i, s:i}", "\xef\xbc\xa1", 1,
                          "\xf0\x9d\x84\x9e", 2, "a", 3);
    char *ours = canon(v, 0);
    ck_assert_str_eq(ours, "{\"a\":3,\"\xf0\x9d\x84\x9e\":2,\"\xef\xbc\xa1\":1}");
    free(ours);
    json_decref(v);
}
END_TEST

START_TEST(integers_are_exact_and_bounded)
{
    json_t *ok = json_pack("[I, I, i]", (json_int_t)9007199254740991LL,
                           (json_int_t)-9007199254740991LL, 0);
    char *s = canon(ok, 0);
    ck_assert_str_eq(s, "[9007199254740991,-9007199254740991,0]");
    free(s);
    json_decref(ok);
    json_t *big = json_integer(9007199254740992LL);
    free(canon(big, FAULT_INVALID));
    json_decref(big);
}
END_TEST

START_TEST(floats_are_refused)
{
    json_t *v = json_pack("{s:f}", "amount", 12.5);
    free(canon(v, FAULT_INVALID));
    json_decref(v);
}
END_TEST

START_TEST(output_is_stable_under_reparse)
{
    json_t *v = json_pack("{s:s, s:[i, s], s:{s:b}}", "k", tricky[2], "l", 1,
                          tricky[6], "m", "n", 1);
    char *once = canon(v, 0);
    json_t *back = json_loads(once, 0, NULL);
    ck_assert_ptr_nonnull(back);
    char *twice = canon(back, 0);
    ck_assert_str_eq(once, twice);
    free(once);
    free(twice);
    json_decref(v);
    json_decref(back);
}
END_TEST

Suite *canon_suite(void)
{
    Suite *s = suite_create("canon");
    TCase *tc = tcase_create("canon");
    tcase_add_test(tc, strings_match_python_byte_for_byte);
    tcase_add_test(tc, nul_inside_a_string_is_escaped);
    tcase_add_test(tc, keys_sort_and_nest);
    tcase_add_test(tc, non_ascii_keys_sort_by_utf16_units);
    tcase_add_test(tc, integers_are_exact_and_bounded);
    tcase_add_test(tc, floats_are_refused);
    tcase_add_test(tc, output_is_stable_under_reparse);
    suite_add_tcase(s, tc);
    return s;
}
