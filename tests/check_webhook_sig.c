/* Standard Webhooks signatures (core/webhook_sig.c) against code that is
 * not ours, both ways:
 * - vectors made by the official library and Node's Ed25519
 *   (tests/webhooks/vectors.js, run by scripts/test, which passes the file
 *   in PLEDGED_TEST_WEBHOOK_VECTORS): we must write the same bytes;
 * - headers made by us, for fresh random inputs, handed to the official
 *   library's verify() (tests/webhooks/verify.js) and to PyNaCl
 *   (tests/webhooks/verify_v1a.py): accepted as sent, refused tampered.
 * Then the refusals no vector covers. */
#include "core/webhook_sig.h"

#include "core/buf.h"
#include "tests/suites.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static json_t *vectors; /* loaded once, before Check forks */

static json_t *load_vectors(void)
{
    if (vectors == NULL) {
        const char *path = getenv("PLEDGED_TEST_WEBHOOK_VECTORS");
        json_error_t err;
        vectors = path ? json_load_file(path, JSON_ALLOW_NUL, &err) : NULL;
    }
    return vectors;
}

static const char *text(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    ck_assert_msg(s != NULL, "vector field %s", key);
    return s;
}

/* A signer from a raw seed, as signer_load builds one from its file. */
static struct signer *signer_from_seed(const unsigned char seed[32])
{
    struct signer *k = calloc(1, sizeof *k);
    ck_assert_ptr_nonnull(k);
    k->secret_key = sodium_malloc(64);
    ck_assert_ptr_nonnull(k->secret_key);
    crypto_sign_seed_keypair(k->public_key, k->secret_key, seed);
    signer_kid(k->kid, k->public_key);
    return k;
}

static struct signer *vector_signer(void)
{
    unsigned char seed[32];
    size_t n = 0;
    const char *b64 = text(load_vectors(), "ed25519_seed");
    ck_assert_int_eq(sodium_base642bin(seed, sizeof seed, b64, strlen(b64),
                                       NULL, &n, NULL,
                                       sodium_base64_VARIANT_ORIGINAL),
                     0);
    ck_assert_uint_eq(n, 32);
    return signer_from_seed(seed);
}

START_TEST(no_vectors_means_no_test)
{
    ck_abort_msg("PLEDGED_TEST_WEBHOOK_VECTORS is unset or unreadable: run "
                 "through scripts/test (node tests/webhooks/vectors.js)");
}
END_TEST

/* Each vector: the library's v1 and Node's v1a, byte for byte, and the
 * whole webhook-signature value the library's verify() accepted. */
START_TEST(same_bytes_as_the_official_library)
{
    json_t *c = json_array_get(json_object_get(load_vectors(), "cases"),
                               (size_t)_i);
    ck_assert_ptr_nonnull(c);
    const json_t *jb = json_object_get(c, "body");
    const char *body = json_string_value(jb), *id = text(c, "id");
    size_t len = json_string_length(jb); /* one body holds a NUL */
    int64_t ts = json_integer_value(json_object_get(c, "timestamp"));
    unsigned char key[WEBHOOK_KEY_MAX];
    size_t keylen;
    struct fault f = {0};
    ck_assert_int_eq(webhook_secret_parse(key, &keylen, text(c, "secret"), &f),
                     0);
    char v1[WEBHOOK_V1_MAX], v1a[WEBHOOK_V1A_MAX];
    ck_assert_int_eq(
        webhook_sign_v1(v1, key, keylen, id, ts, body, len, &f), 0);
    ck_assert_str_eq(v1, text(c, "v1"));
    struct signer *k = vector_signer();
    char pk[SIGNER_PK_B64];
    sodium_bin2base64(pk, sizeof pk, k->public_key, 32,
                      sodium_base64_VARIANT_ORIGINAL);
    ck_assert_str_eq(pk, text(load_vectors(), "ed25519_public_key"));
    ck_assert_int_eq(webhook_sign_v1a(v1a, k, id, ts, body, len, &f), 0);
    ck_assert_str_eq(v1a, text(c, "v1a"));
    struct webhook_headers h;
    ck_assert_int_eq(
        webhook_headers_make(&h, key, keylen, k, id, ts, body, len, &f), 0);
    ck_assert_str_eq(h.signature, text(c, "signature"));
    ck_assert_str_eq(h.id, id);
    char want_ts[WEBHOOK_TS_MAX];
    snprintf(want_ts, sizeof want_ts, "%lld", (long long)ts);
    ck_assert_str_eq(h.timestamp, want_ts);
    signer_free(k);
}
END_TEST

/* The v1a of every vector, checked by libsodium's own verifier against the
 * public key (the one GET /v1/keys would publish), and refused over any
 * other content. */
START_TEST(v1a_verifies_under_the_public_key_only_for_its_content)
{
    json_t *cases = json_object_get(load_vectors(), "cases");
    struct signer *k = vector_signer();
    size_t i;
    json_t *c;
    json_array_foreach(cases, i, c) {
        const json_t *jb = json_object_get(c, "body");
        const char *id = text(c, "id");
        int64_t ts = json_integer_value(json_object_get(c, "timestamp"));
        char v1a[WEBHOOK_V1A_MAX], content[256];
        ck_assert_int_eq(webhook_sign_v1a(v1a, k, id, ts, json_string_value(jb),
                                          json_string_length(jb), NULL),
                         0);
        unsigned char sig[64];
        size_t n = 0;
        ck_assert_int_eq(sodium_base642bin(sig, sizeof sig, v1a + 4,
                                           strlen(v1a + 4), NULL, &n, NULL,
                                           sodium_base64_VARIANT_ORIGINAL),
                         0);
        ck_assert_uint_eq(n, 64);
        struct buf msg;
        buf_init(&msg);
        snprintf(content, sizeof content, "%s.%lld.", id, (long long)ts);
        buf_puts(&msg, content);
        buf_append(&msg, json_string_value(jb), json_string_length(jb));
        ck_assert_int_eq(crypto_sign_verify_detached(
                             sig, (const unsigned char *)msg.data, msg.len,
                             k->public_key),
                         0);
        /* The same signature over the body with a byte more, or under the
         * timestamp one second later: refused. */
        buf_putc(&msg, ' ');
        ck_assert_int_ne(crypto_sign_verify_detached(
                             sig, (const unsigned char *)msg.data, msg.len,
                             k->public_key),
                         0);
        buf_reset(&msg);
        snprintf(content, sizeof content, "%s.%lld.", id, (long long)ts + 1);
        buf_puts(&msg, content);
        buf_append(&msg, json_string_value(jb), json_string_length(jb));
        ck_assert_int_ne(crypto_sign_verify_detached(
                             sig, (const unsigned char *)msg.data, msg.len,
                             k->public_key),
                         0);
        buf_release(&msg);
    }
    signer_free(k);
}
END_TEST

/* Runs a verifier on file; its exit status. */
static int run(const char *cmd, const char *file)
{
    char line[512];
    snprintf(line, sizeof line, "%s %s", cmd, file);
    int st = system(line);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Fresh inputs of our own (a new whsec_ secret and key, ids, the current
 * time, bodies with UTF-8, an empty one), our headers, and the verdicts of
 * the official library (v1) and of PyNaCl (v1a): accepted as sent, refused
 * with a tampered body, timestamp or id (the scripts try those). */
START_TEST(our_headers_pass_the_official_verifiers)
{
    ck_assert_msg(access("tests/webhooks/verify.js", R_OK) == 0,
                  "run from the checkout's top (scripts/test does)");
    static const char *const bodies[] = {
        "", "{}", "{\"type\":\"pledge.created\",\"event_seq\":1}",
        "{\"title\":\"Caf\xc3\xa9 \xe6\x96\xb0\xe8\x81\x9e \xf0\x9f\x93\xb0\"}",
        "line one\r\nline two. with dots."};
    struct signer *k = signer_generate(NULL);
    ck_assert_ptr_nonnull(k);
    json_t *doc = json_object(), *cases = json_array();
    char pk[SIGNER_PK_B64];
    sodium_bin2base64(pk, sizeof pk, k->public_key, 32,
                      sodium_base64_VARIANT_ORIGINAL);
    json_object_set_new(doc, "public_key", json_string(pk));
    json_object_set_new(doc, "cases", cases);
    for (size_t i = 0; i < 20; i++) {
        char secret[WEBHOOK_SECRET_MAX], id[WEBHOOK_ID_MAX];
        unsigned char key[WEBHOOK_KEY_MAX], raw[16];
        size_t keylen;
        webhook_secret_new(secret);
        ck_assert_int_eq(webhook_secret_parse(key, &keylen, secret, NULL), 0);
        ck_assert_uint_eq(keylen, WEBHOOK_KEY_NEW);
        randombytes_buf(raw, sizeof raw);
        memcpy(id, "msg_", 4);
        sodium_bin2base64(id + 4, sizeof id - 4, raw, sizeof raw,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        const char *body = bodies[i % (sizeof bodies / sizeof *bodies)];
        int64_t ts = (int64_t)time(NULL) - (int64_t)i;
        struct webhook_headers h;
        ck_assert_int_eq(webhook_headers_make(&h, key, keylen, k, id, ts, body,
                                              strlen(body), NULL),
                         0);
        json_array_append_new(
            cases, json_pack("{s:s, s:s, s:I, s:s, s:s}", "secret", secret,
                             "id", h.id, "timestamp", (json_int_t)ts, "body",
                             body, "signature", h.signature));
    }
    char file[] = "/tmp/pledged-webhook-sig-XXXXXX";
    int fd = mkstemp(file);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(json_dump_file(doc, file, 0), 0);
    json_decref(doc);
    signer_free(k);
    int node = run("node tests/webhooks/verify.js", file);
    int py = run("/usr/bin/python3 tests/webhooks/verify_v1a.py", file);
    unlink(file);
    ck_assert_msg(node == 0, "standardwebhooks' verify(): exit %d", node);
    ck_assert_msg(py == 0, "PyNaCl: exit %d", py);
}
END_TEST

START_TEST(secrets_are_whsec_and_base64_of_24_to_64_bytes)
{
    unsigned char key[WEBHOOK_KEY_MAX], raw[WEBHOOK_KEY_MAX + 1];
    char s[240], b64[200];
    size_t len = 99;
    struct fault f = {0};
    randombytes_buf(raw, sizeof raw);
    for (size_t n = 20; n <= sizeof raw; n++) {
        sodium_bin2base64(b64, sizeof b64, raw, n,
                          sodium_base64_VARIANT_ORIGINAL);
        snprintf(s, sizeof s, " whsec_%s\t", b64); /* blanks trimmed */
        int rc = webhook_secret_parse(key, &len, s, NULL);
        if (n >= WEBHOOK_KEY_MIN && n <= WEBHOOK_KEY_MAX) {
            ck_assert_int_eq(rc, 0);
            ck_assert_uint_eq(len, n);
            ck_assert_mem_eq(key, raw, n);
        } else {
            ck_assert_int_eq(rc, FAULT_INVALID);
            ck_assert_uint_eq(len, 0);
        }
    }
    sodium_bin2base64(b64, sizeof b64, raw, 32, sodium_base64_VARIANT_ORIGINAL);
    const char *bad[] = {NULL, "", "whsec_", b64 /* no prefix */,
                         "whsec_!!!!", "WHSEC_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_int_eq(webhook_secret_parse(key, &len, bad[i], NULL),
                         FAULT_INVALID);
    /* 32 bytes need one '=': without it, refused (the library's decoder
     * refuses it too); and the message never quotes the secret. */
    snprintf(s, sizeof s, "whsec_%.*s", (int)strlen(b64) - 1, b64);
    ck_assert_int_eq(webhook_secret_parse(key, &len, s, &f), FAULT_INVALID);
    ck_assert_str_eq(f.field, "secret");
    ck_assert_ptr_null(strstr(f.message, b64 + 4));
    /* New secrets: the prefix, 32 random bytes, never twice the same. */
    char a[WEBHOOK_SECRET_MAX], b[WEBHOOK_SECRET_MAX];
    webhook_secret_new(a);
    webhook_secret_new(b);
    ck_assert_int_eq(strncmp(a, "whsec_", 6), 0);
    ck_assert_str_ne(a, b);
    ck_assert_int_eq(webhook_secret_parse(key, &len, a, NULL), 0);
    ck_assert_uint_eq(len, WEBHOOK_KEY_NEW);
}
END_TEST

START_TEST(bad_ids_keys_and_timestamps_are_refused)
{
    unsigned char key[WEBHOOK_KEY_MAX] = {1};
    char v1[WEBHOOK_V1_MAX], long_id[WEBHOOK_ID_MAX + 1];
    memset(long_id, 'a', WEBHOOK_ID_MAX);
    long_id[WEBHOOK_ID_MAX] = '\0'; /* one too many */
    const char *ids[] = {NULL, "", "msg.1", "msg 1", "msg\r\nX-Evil: 1",
                         "msg\xc3\xa9", long_id};
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
        struct fault f = {0};
        ck_assert_int_eq(webhook_sign_v1(v1, key, 32, ids[i], 1, "x", 1, &f),
                         FAULT_INVALID);
        ck_assert_str_eq(f.field, "webhook-id");
        ck_assert_str_eq(v1, "");
    }
    long_id[WEBHOOK_ID_MAX - 1] = '\0'; /* 64: the longest */
    ck_assert_int_eq(webhook_sign_v1(v1, key, 32, long_id, 1, "x", 1, NULL), 0);
    struct fault f = {0};
    ck_assert_int_eq(webhook_sign_v1(v1, key, 32, "msg_1", -1, "x", 1, &f),
                     FAULT_INVALID);
    ck_assert_str_eq(f.field, "webhook-timestamp");
    ck_assert_int_eq(webhook_sign_v1(v1, key, WEBHOOK_KEY_MIN - 1, "msg_1", 1,
                                     "x", 1, NULL),
                     FAULT_INVALID);
    ck_assert_int_eq(webhook_sign_v1(v1, key, WEBHOOK_KEY_MAX + 1, "msg_1", 1,
                                     "x", 1, NULL),
                     FAULT_INVALID);
    struct webhook_headers h;
    ck_assert_int_eq(
        webhook_headers_make(&h, NULL, 0, NULL, "msg_1", 1, "x", 1, NULL),
        FAULT_INVALID);
}
END_TEST

/* Each part of the signed content counts: a change of id, timestamp or
 * body changes both signatures; v1 alone, v1a alone, or both. */
START_TEST(every_part_of_the_content_is_signed)
{
    unsigned char key[32];
    randombytes_buf(key, sizeof key);
    struct signer *k = signer_generate(NULL);
    struct webhook_headers a, b;
    ck_assert_int_eq(webhook_headers_make(&a, key, 32, k, "msg_1", 1700000000,
                                          "{}", 2, NULL),
                     0);
    ck_assert_ptr_nonnull(strstr(a.signature, "v1,"));
    ck_assert_ptr_nonnull(strstr(a.signature, " v1a,"));
    ck_assert_str_eq(a.timestamp, "1700000000");
    const char *v1a = strstr(a.signature, " v1a,") + 1;
    struct {
        const char *id;
        int64_t ts;
        const char *body;
    } other[] = {{"msg_2", 1700000000, "{}"},
                 {"msg_1", 1700000001, "{}"},
                 {"msg_1", 1700000000, "{ }"}};
    for (size_t i = 0; i < 3; i++) {
        ck_assert_int_eq(webhook_headers_make(&b, key, 32, k, other[i].id,
                                              other[i].ts, other[i].body,
                                              strlen(other[i].body), NULL),
                         0);
        ck_assert_int_ne(strncmp(a.signature, b.signature, WEBHOOK_V1_MAX - 1),
                         0);
        ck_assert_str_ne(v1a, strstr(b.signature, " v1a,") + 1);
    }
    ck_assert_int_eq(
        webhook_headers_make(&b, key, 32, NULL, "msg_1", 1, "{}", 2, NULL), 0);
    ck_assert_int_eq(strncmp(b.signature, "v1,", 3), 0);
    ck_assert_ptr_null(strchr(b.signature, ' '));
    ck_assert_int_eq(
        webhook_headers_make(&b, NULL, 0, k, "msg_1", 1, "{}", 2, NULL), 0);
    ck_assert_int_eq(strncmp(b.signature, "v1a,", 4), 0);
    ck_assert_ptr_null(strchr(b.signature, ' '));
    signer_free(k);
}
END_TEST

Suite *webhook_sig_suite(void)
{
    Suite *s = suite_create("webhook_sig");
    TCase *tc = tcase_create("webhook_sig");
    tcase_set_timeout(tc, 30);
    size_t n = json_array_size(json_object_get(load_vectors(), "cases"));
    if (n == 0) {
        tcase_add_test(tc, no_vectors_means_no_test);
    } else {
        tcase_add_loop_test(tc, same_bytes_as_the_official_library, 0, (int)n);
        tcase_add_test(tc,
                       v1a_verifies_under_the_public_key_only_for_its_content);
        tcase_add_test(tc, our_headers_pass_the_official_verifiers);
    }
    tcase_add_test(tc, secrets_are_whsec_and_base64_of_24_to_64_bytes);
    tcase_add_test(tc, bad_ids_keys_and_timestamps_are_refused);
    tcase_add_test(tc, every_part_of_the_content_is_signed);
    suite_add_tcase(s, tc);
    return s;
}
