#include "core/webhook_sig.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREFIX "whsec_"
#define PREFIX_LEN 6

void webhook_secret_new(char out[WEBHOOK_SECRET_MAX])
{
    unsigned char raw[WEBHOOK_KEY_NEW];
    randombytes_buf(raw, sizeof raw);
    memcpy(out, PREFIX, PREFIX_LEN);
    sodium_bin2base64(out + PREFIX_LEN, WEBHOOK_SECRET_MAX - PREFIX_LEN, raw,
                      sizeof raw, sodium_base64_VARIANT_ORIGINAL);
    sodium_memzero(raw, sizeof raw);
}

int webhook_secret_parse(unsigned char key[WEBHOOK_KEY_MAX], size_t *len,
                         const char *secret, struct fault *f)
{
    static const char what[] = "not a Standard Webhooks secret (whsec_ + "
                               "base64 of 24 to 64 bytes)";
    const char *a = secret ? secret : "", *end;
    *len = 0;
    while (*a == ' ' || *a == '\t')
        a++;
    size_t n = strlen(a);
    while (n > 0 && (a[n - 1] == ' ' || a[n - 1] == '\t'))
        n--;
    if (n <= PREFIX_LEN || strncmp(a, PREFIX, PREFIX_LEN) != 0)
        return fault_set(f, FAULT_INVALID, "secret", "%s", what);
    a += PREFIX_LEN, n -= PREFIX_LEN;
    /* Decoded into a buffer one byte too large, so that a key longer than
     * the bound is told from one that fills it; the padding is required,
     * as the libraries write it and @stablelib/base64 reads it. */
    unsigned char tmp[WEBHOOK_KEY_MAX + 1];
    size_t got = 0;
    int rc = sodium_base642bin(tmp, sizeof tmp, a, n, NULL, &got, &end,
                               sodium_base64_VARIANT_ORIGINAL);
    if (rc != 0 || end != a + n || got < WEBHOOK_KEY_MIN ||
        got > WEBHOOK_KEY_MAX) {
        sodium_memzero(tmp, sizeof tmp);
        return fault_set(f, FAULT_INVALID, "secret", "%s", what);
    }
    memcpy(key, tmp, got);
    *len = got;
    sodium_memzero(tmp, sizeof tmp);
    return 0;
}

int webhook_id_check(const char *id, struct fault *f)
{
    size_t n = id ? strlen(id) : 0;
    bool ok = n > 0 && n < WEBHOOK_ID_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = (id[i] >= 'a' && id[i] <= 'z') || (id[i] >= 'A' && id[i] <= 'Z') ||
             (id[i] >= '0' && id[i] <= '9') || id[i] == '_' || id[i] == '-';
    return ok ? 0
              : fault_set(f, FAULT_INVALID, "webhook-id",
                          "not a webhook id (1 to %d of A-Z a-z 0-9 _ -)",
                          WEBHOOK_ID_MAX - 1);
}

/* The id and the timestamp, checked, and the timestamp in decimal. */
static int prologue(char ts[WEBHOOK_TS_MAX], const char *id, int64_t timestamp,
                    struct fault *f)
{
    if (webhook_id_check(id, f) != 0)
        return FAULT_INVALID;
    if (timestamp < 0)
        return fault_set(f, FAULT_INVALID, "webhook-timestamp",
                         "a negative timestamp");
    snprintf(ts, WEBHOOK_TS_MAX, "%" PRId64, timestamp);
    return 0;
}

int webhook_sign_v1(char out[WEBHOOK_V1_MAX], const unsigned char *key,
                    size_t keylen, const char *id, int64_t timestamp,
                    const char *body, size_t len, struct fault *f)
{
    char ts[WEBHOOK_TS_MAX];
    out[0] = '\0';
    if (keylen < WEBHOOK_KEY_MIN || keylen > WEBHOOK_KEY_MAX)
        return fault_set(f, FAULT_INVALID, "secret",
                         "a webhook key of %zu bytes (24 to 64 expected)",
                         keylen);
    if (prologue(ts, id, timestamp, f) != 0)
        return FAULT_INVALID;
    /* The streaming API takes a key of any length (HMAC hashes a long one
     * first), which crypto_auth_hmacsha256() with its fixed 32 does not. */
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_init(&st, key, keylen);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)id, strlen(id));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, strlen(ts));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    memcpy(out, "v1,", 3);
    sodium_bin2base64(out + 3, WEBHOOK_V1_MAX - 3, mac, sizeof mac,
                      sodium_base64_VARIANT_ORIGINAL);
    sodium_memzero(&st, sizeof st);
    sodium_memzero(mac, sizeof mac);
    return 0;
}

int webhook_sign_v1a(char out[WEBHOOK_V1A_MAX], const struct signer *k,
                     const char *id, int64_t timestamp, const char *body,
                     size_t len, struct fault *f)
{
    char ts[WEBHOOK_TS_MAX];
    out[0] = '\0';
    if (prologue(ts, id, timestamp, f) != 0)
        return FAULT_INVALID;
    size_t idl = strlen(id), tsl = strlen(ts), n = idl + 1 + tsl + 1 + len;
    unsigned char *msg = malloc(n);
    if (msg == NULL)
        return fault_set(f, FAULT_NOMEM, NULL, "out of memory");
    memcpy(msg, id, idl);
    msg[idl] = '.';
    memcpy(msg + idl + 1, ts, tsl);
    msg[idl + 1 + tsl] = '.';
    if (len)
        memcpy(msg + idl + 1 + tsl + 1, body, len);
    char sig[SIGNER_SIG_B64];
    signer_sign(sig, k, msg, n);
    free(msg);
    snprintf(out, WEBHOOK_V1A_MAX, "v1a,%s", sig);
    return 0;
}

int webhook_headers_make(struct webhook_headers *out, const unsigned char *key,
                         size_t keylen, const struct signer *k, const char *id,
                         int64_t timestamp, const char *body, size_t len,
                         struct fault *f)
{
    char v1[WEBHOOK_V1_MAX] = "", v1a[WEBHOOK_V1A_MAX] = "";
    memset(out, 0, sizeof *out);
    if (keylen == 0 && k == NULL)
        return fault_set(f, FAULT_INVALID, "secret",
                         "neither a secret nor a signing key to sign with");
    int rc = 0;
    if (keylen > 0 &&
        (rc = webhook_sign_v1(v1, key, keylen, id, timestamp, body, len, f)))
        return rc;
    if (k && (rc = webhook_sign_v1a(v1a, k, id, timestamp, body, len, f)))
        return rc;
    /* Standard Webhooks: several signatures, space separated; a verifier
     * takes the ones of the schemes it knows and ignores the rest. */
    snprintf(out->signature, sizeof out->signature, "%s%s%s", v1,
             v1[0] && v1a[0] ? " " : "", v1a);
    snprintf(out->id, sizeof out->id, "%s", id);
    snprintf(out->timestamp, sizeof out->timestamp, "%" PRId64, timestamp);
    return 0;
}
