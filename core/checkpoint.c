#include "core/checkpoint.h"

#include "core/buf.h"
#include "core/hex.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EM_DASH "\xe2\x80\x94"
#define ROOT_B64 45 /* base64 of 32 bytes with its NUL */

bool checkpoint_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > CHECKPOINT_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (name[i] <= ' ' || name[i] > '~' || name[i] == '+')
            return false;
    return true;
}

uint32_t checkpoint_key_id(const char *name, const unsigned char pk[32])
{
    crypto_hash_sha256_state st;
    unsigned char h[32];
    const unsigned char sep[2] = {0x0a, 0x01};
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)name, strlen(name));
    crypto_hash_sha256_update(&st, sep, 2);
    crypto_hash_sha256_update(&st, pk, 32);
    crypto_hash_sha256_final(&st, h);
    return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 |
           (uint32_t)h[3];
}

void checkpoint_vkey(char out[CHECKPOINT_VKEY_MAX], const char *name,
                     const unsigned char pk[32])
{
    unsigned char typed[33];
    char b64[sodium_base64_ENCODED_LEN(33, sodium_base64_VARIANT_ORIGINAL)];
    typed[0] = 0x01;
    memcpy(typed + 1, pk, 32);
    sodium_bin2base64(b64, sizeof b64, typed, sizeof typed,
                      sodium_base64_VARIANT_ORIGINAL);
    snprintf(out, CHECKPOINT_VKEY_MAX, "%s+%08" PRIx32 "+%s", name,
             checkpoint_key_id(name, pk), b64);
}

static void body(struct buf *b, const struct checkpoint *c)
{
    char root[ROOT_B64];
    sodium_bin2base64(root, sizeof root, c->root, MERKLE_HASH_LEN,
                      sodium_base64_VARIANT_ORIGINAL);
    buf_printf(b,
               "%s\n%lld\n%s\nraised_minor %lld\ncollected_minor %lld\n"
               "goal_minor %lld\ncurrency %s\n",
               c->origin, (long long)c->size, root,
               (long long)c->raised_minor, (long long)c->collected_minor,
               (long long)c->goal_minor, c->currency);
}

char *checkpoint_sign(const struct checkpoint *c, const char *name,
                      const struct signer *k)
{
    struct buf b;
    buf_init(&b);
    body(&b, c);
    unsigned char sig[4 + crypto_sign_BYTES];
    uint32_t id = checkpoint_key_id(name, k->public_key);
    sig[0] = (unsigned char)(id >> 24);
    sig[1] = (unsigned char)(id >> 16);
    sig[2] = (unsigned char)(id >> 8);
    sig[3] = (unsigned char)id;
    if (!buf_failed(&b))
        crypto_sign_detached(sig + 4, NULL, (const unsigned char *)b.data,
                             b.len, k->secret_key);
    char b64[sodium_base64_ENCODED_LEN(sizeof sig,
                                       sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof b64, sig, sizeof sig,
                      sodium_base64_VARIANT_ORIGINAL);
    buf_printf(&b, "\n" EM_DASH " %s %s\n", name, b64);
    if (buf_failed(&b)) {
        buf_release(&b);
        return NULL;
    }
    return buf_take(&b);
}

/* Reads a decimal int64 without sign or leading zeros. */
static int read_i64(int64_t *out, const char *s, size_t n)
{
    if (n == 0 || n > 18 || (s[0] == '0' && n > 1))
        return -1;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* Parses the note text (ending in a newline) into c. */
static int parse_body(struct checkpoint *c, const char *t, size_t len)
{
    static const char *const ext[] = {"raised_minor ", "collected_minor ",
                                      "goal_minor ", "currency "};
    int64_t *nums[] = {&c->raised_minor, &c->collected_minor, &c->goal_minor};
    const char *end = t + len;
    for (int line = 0; line < 7; line++) {
        const char *nl = memchr(t, '\n', (size_t)(end - t));
        if (nl == NULL)
            return -1;
        size_t n = (size_t)(nl - t);
        if (line == 0) {
            if (n == 0 || n >= sizeof c->origin)
                return -1;
            memcpy(c->origin, t, n);
            c->origin[n] = '\0';
        } else if (line == 1) {
            if (read_i64(&c->size, t, n) != 0)
                return -1;
        } else if (line == 2) {
            size_t got = 0;
            if (sodium_base642bin(c->root, MERKLE_HASH_LEN, t, n, NULL, &got,
                                  NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
                got != MERKLE_HASH_LEN || n != ROOT_B64 - 1)
                return -1;
        } else {
            size_t p = strlen(ext[line - 3]);
            if (n < p || memcmp(t, ext[line - 3], p) != 0)
                return -1;
            if (line < 6 && read_i64(nums[line - 3], t + p, n - p) != 0)
                return -1;
            if (line == 6) {
                if (n - p != 3)
                    return -1;
                memcpy(c->currency, t + p, 3);
                c->currency[3] = '\0';
            }
        }
        t = nl + 1;
    }
    return t == end ? 0 : -1;
}

int checkpoint_open(struct checkpoint *c, const char *note, size_t len,
                    const char *vkey, struct fault *f)
{
    /* The verifier key: name+hex id+base64(0x01 || pk). */
    const char *p1 = strchr(vkey, '+');
    const char *p2 = p1 ? strchr(p1 + 1, '+') : NULL;
    char name[CHECKPOINT_NAME_MAX + 1], idhex[9];
    unsigned char typed[33];
    size_t got = 0;
    if (p1 == NULL || p2 == NULL || (size_t)(p1 - vkey) > CHECKPOINT_NAME_MAX ||
        p2 - p1 - 1 != 8)
        return fault_set(f, FAULT_INVALID, "vkey", "not a verifier key");
    memcpy(name, vkey, (size_t)(p1 - vkey));
    name[p1 - vkey] = '\0';
    memcpy(idhex, p1 + 1, 8);
    idhex[8] = '\0';
    if (!checkpoint_name_ok(name) ||
        sodium_base642bin(typed, sizeof typed, p2 + 1, strlen(p2 + 1), NULL,
                          &got, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        got != 33 || typed[0] != 0x01)
        return fault_set(f, FAULT_INVALID, "vkey", "not an Ed25519 note key");
    uint32_t id = checkpoint_key_id(name, typed + 1);
    char want[9];
    snprintf(want, sizeof want, "%08" PRIx32, id);
    if (strcmp(want, idhex) != 0)
        return fault_set(f, FAULT_INVALID, "vkey",
                         "the key ID does not match the key");

    /* The text ends at the last blank line; signature lines follow. */
    size_t split = 0;
    for (size_t i = 1; i < len; i++)
        if (note[i] == '\n' && note[i - 1] == '\n')
            split = i;
    if (split == 0 || note[len - 1] != '\n' || memchr(note, '\0', len))
        return fault_set(f, FAULT_INVALID, "checkpoint", "not a signed note");
    size_t tlen = split; /* the text keeps its final newline */
    bool signed_by_key = false;
    char prefix[CHECKPOINT_NAME_MAX + 8];
    snprintf(prefix, sizeof prefix, EM_DASH " %s ", name);
    for (size_t at = split + 1; at < len;) {
        const char *line = note + at;
        const char *nl = memchr(line, '\n', len - at);
        size_t n = (size_t)(nl - line), pl = strlen(prefix);
        at += n + 1;
        unsigned char sig[4 + crypto_sign_BYTES];
        if (n <= pl || memcmp(line, prefix, pl) != 0 ||
            sodium_base642bin(sig, sizeof sig, line + pl, n - pl, NULL, &got,
                              NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
            got != sizeof sig)
            continue; /* another key's line, or not ours to read */
        uint32_t sid = (uint32_t)sig[0] << 24 | (uint32_t)sig[1] << 16 |
                       (uint32_t)sig[2] << 8 | (uint32_t)sig[3];
        if (sid != id)
            continue;
        if (crypto_sign_verify_detached(sig + 4, (const unsigned char *)note,
                                        tlen, typed + 1) != 0)
            return fault_set(f, FAULT_INVALID, "signature",
                             "the signature by %s does not verify", name);
        signed_by_key = true;
    }
    if (!signed_by_key)
        return fault_set(f, FAULT_INVALID, "signature",
                         "no signature by %s+%s", name, idhex);
    if (parse_body(c, note, tlen) != 0)
        return fault_set(f, FAULT_INVALID, "checkpoint",
                         "the signed text is not a pledged checkpoint");
    return 0;
}
