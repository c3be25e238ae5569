#include "core/receipt.h"
#include "app/pledging.h"
#include "app/receipts.h"
#include "core/signer.h"
#include "store/store.h"
#include "tests/suites.h"
#include "tests/testdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct signer *the_key;

static int lookup(unsigned char pk[32], void *ctx, const char *kid)
{
    (void)ctx;
    if (strcmp(kid, the_key->kid) != 0)
        return FAULT_NOT_FOUND;
    memcpy(pk, the_key->public_key, 32);
    return 0;
}

static bool verify_text(const char *doc_text)
{
    json_t *doc = json_loads(doc_text, 0, NULL);
    ck_assert_ptr_nonnull(doc);
    bool valid = true;
    char kid[SIGNER_KID_MAX];
    ck_assert_int_eq(receipt_verify(&valid, kid, doc, lookup, NULL, NULL), 0);
    json_decref(doc);
    return valid;
}

static char *wrap(const struct signed_doc *d, const char *name)
{
    size_t n = strlen(d->body) + 200;
    char *s = malloc(n);
    snprintf(s, n, "{\"%s\":%s,\"signature\":\"%s\"}", name, d->body,
             d->signature);
    return s;
}

START_TEST(head_signs_and_verifies_and_tamper_fails)
{
    the_key = signer_generate(NULL);
    struct campaign c;
    campaign_defaults(&c);
    strcpy(c.id, "help-us");
    strcpy(c.currency, "USD");
    struct totals t = {.seq = 7, .raised_minor = 92900, .supporters = 7};
    struct signed_doc d = {0};
    ck_assert_int_eq(receipt_head(&d, the_key, &c, &t, NULL), 0);
    ck_assert_ptr_nonnull(strstr(d.body, "\"raised_minor\":92900"));
    char *doc = wrap(&d, "head");
    ck_assert(verify_text(doc));
    char *p = strstr(doc, "92900");
    p[0] = '8';
    ck_assert(!verify_text(doc));
    free(doc);
    signed_doc_release(&d);
    signer_free(the_key);
}
END_TEST

START_TEST(verify_rejects_wrong_shapes)
{
    the_key = signer_generate(NULL);
    const char *shapes[] = {"[]", "{\"signature\":\"x\"}",
                            "{\"receipt\":1,\"signature\":\"x\"}",
                            "{\"receipt\":{},\"signature\":1}",
                            "{\"receipt\":{},\"signature\":\"x\",\"y\":1}"};
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++) {
        json_t *doc = json_loads(shapes[i], 0, NULL);
        bool valid = true;
        char kid[SIGNER_KID_MAX];
        struct fault f = {0};
        ck_assert_int_eq(receipt_verify(&valid, kid, doc, lookup, NULL, &f),
                         FAULT_INVALID);
        ck_assert(!valid);
        json_decref(doc);
    }
    ck_assert(!verify_text("{\"receipt\":{\"kid\":\"other\"},"
                           "\"signature\":\"AAAA\"}"));
    signer_free(the_key);
}
END_TEST

START_TEST(key_file_round_trips_and_must_be_private)
{
    char dir[] = "/tmp/pledged-key-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/k", dir);
    struct signer *k = signer_generate(NULL);
    ck_assert_int_eq(signer_save(k, path, NULL), 0);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    struct fault f = {0};
    struct signer *back = signer_load(path, &f);
    ck_assert_ptr_nonnull(back);
    ck_assert_str_eq(back->kid, k->kid);
    ck_assert_mem_eq(back->public_key, k->public_key, 32);
    signer_free(back);
    chmod(path, 0640);
    ck_assert_ptr_null(signer_load(path, &f));
    ck_assert_ptr_nonnull(strstr(f.message, "0600"));
    FILE *fp = fopen(path, "w");
    fputs("ed25519-0000000000000000 AAAA\n", fp);
    fclose(fp);
    chmod(path, 0600);
    ck_assert_ptr_null(signer_load(path, NULL));
    unlink(path);
    memset(&f, 0, sizeof f);
    ck_assert_ptr_null(signer_load(path, &f));
    ck_assert_int_eq(f.code, FAULT_NOT_FOUND);
    rmdir(dir);
    signer_free(k);
}
END_TEST

START_TEST(pledge_receipt_is_stored_once)
{
    struct store *s = testdb_store();
    the_key = signer_generate(NULL);
    testdb_key(the_key->kid, the_key->public_key);
    struct campaign c;
    testdb_campaign(&c, s, "receipt");
    struct pledge p;
    bool replayed;
    struct pledge_request r = {.amount_minor = 250000, .donor_name = "Ana",
                               .donor_name_len = 3};
    ck_assert_int_eq(pledging_make(&p, &replayed, s, c.id, &r, NULL, NULL), 0);
    struct signed_doc a = {0}, b = {0};
    ck_assert_int_eq(receipts_pledge(&a, s, the_key, &p, NULL), 0);
    ck_assert_int_eq(receipts_pledge(&b, s, the_key, &p, NULL), 0);
    ck_assert_str_eq(a.body, b.body); /* the stored one, not re-signed */
    ck_assert_str_eq(a.signature, b.signature);
    /* Ed25519 is deterministic: the same key signing again gives the same
     * bytes. Another key tells stored from re-signed: the stored receipt
     * still names the first key. */
    struct signer *other = signer_generate(NULL);
    testdb_key(other->kid, other->public_key); /* retires nobody's key */
    struct signed_doc d = {0};
    ck_assert_int_eq(receipts_pledge(&d, s, other, &p, NULL), 0);
    ck_assert_str_eq(d.body, a.body);
    ck_assert_str_eq(d.signature, a.signature);
    ck_assert_ptr_nonnull(strstr(d.body, the_key->kid));
    signed_doc_release(&d);
    signer_free(other);
    char *doc = wrap(&a, "receipt");
    ck_assert(verify_text(doc));
    free(doc);
    signed_doc_release(&a);
    signed_doc_release(&b);
    signer_free(the_key);
    store_free(s);
}
END_TEST

Suite *receipt_suite(void)
{
    Suite *s = suite_create("receipt");
    TCase *tc = tcase_create("receipt");
    tcase_add_test(tc, head_signs_and_verifies_and_tamper_fails);
    tcase_add_test(tc, verify_rejects_wrong_shapes);
    tcase_add_test(tc, key_file_round_trips_and_must_be_private);
    tcase_add_test(tc, pledge_receipt_is_stored_once);
    suite_add_tcase(s, tc);
    return s;
}
