#include "core/stripe_sig.h"

#include "core/hex.h"

#include <sodium.h>
#include <stdbool.h>
#include <string.h>

#define SIG_FIELD "Stripe-Signature"
#define T_DIGITS_MAX 15 /* far beyond any Unix time we will see */

struct parsed {
    const char *t; /* the t digits as written (signed as written) */
    size_t t_len;
    int64_t t_value;
    unsigned char v1[STRIPE_SIG_MAX_V1][crypto_auth_hmacsha256_BYTES];
    size_t n_v1;
};

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

/* One "key=value" item of the header, blanks around it trimmed. Returns
 * false for a malformed header. */
static bool parse_item(struct parsed *p, const char *a, const char *b)
{
    while (a < b && blank(*a))
        a++;
    while (b > a && blank(b[-1]))
        b--;
    const char *eq = memchr(a, '=', (size_t)(b - a));
    if (eq == NULL)
        return true; /* not an item we know: ignored */
    size_t klen = (size_t)(eq - a), vlen = (size_t)(b - eq - 1);
    const char *v = eq + 1;
    if (klen == 1 && a[0] == 't') {
        if (p->t != NULL || vlen == 0 || vlen > T_DIGITS_MAX)
            return false;
        int64_t t = 0;
        for (size_t i = 0; i < vlen; i++) {
            if (v[i] < '0' || v[i] > '9')
                return false;
            t = t * 10 + (v[i] - '0');
        }
        p->t = v;
        p->t_len = vlen;
        p->t_value = t;
    } else if (klen == 2 && a[0] == 'v' && a[1] == '1') {
        char hex[2 * crypto_auth_hmacsha256_BYTES + 1];
        /* A v1 that is not 64 lowercase hex digits (as Stripe writes them,
         * and as its libraries compare them) cannot match: ignored. */
        if (vlen != sizeof hex - 1 || p->n_v1 == STRIPE_SIG_MAX_V1)
            return true;
        for (size_t i = 0; i < vlen; i++)
            if (!((v[i] >= '0' && v[i] <= '9') || (v[i] >= 'a' && v[i] <= 'f')))
                return true;
        memcpy(hex, v, vlen);
        hex[vlen] = '\0';
        if (hex_decode(p->v1[p->n_v1], sizeof p->v1[0], hex) == 0)
            p->n_v1++;
    }
    return true;
}

/* The next secret of a comma separated list, trimmed; false at the end. */
static bool next_secret(const char **cursor, const char **key, size_t *len)
{
    const char *s = *cursor;
    while (*s) {
        const char *end = strchr(s, ',');
        if (end == NULL)
            end = s + strlen(s);
        const char *a = s, *b = end;
        s = *end ? end + 1 : end;
        while (a < b && blank(*a))
            a++;
        while (b > a && blank(b[-1]))
            b--;
        if (b > a) {
            *cursor = s;
            *key = a;
            *len = (size_t)(b - a);
            return true;
        }
    }
    *cursor = s;
    return false;
}

int stripe_sig_verify(int64_t *timestamp, const char *header,
                      const unsigned char *payload, size_t len,
                      const char *secrets, int64_t now, struct fault *f)
{
    struct parsed p = {0};
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    int rc = 0;

    if (header == NULL || header[0] == '\0' ||
        strlen(header) > STRIPE_SIG_HEADER_MAX) {
        rc = fault_set(f, FAULT_INVALID, SIG_FIELD, "malformed header");
        goto done;
    }
    for (const char *s = header;;) {
        const char *end = strchr(s, ',');
        if (end == NULL)
            end = s + strlen(s);
        if (!parse_item(&p, s, end)) {
            rc = fault_set(f, FAULT_INVALID, SIG_FIELD, "malformed header");
            goto done;
        }
        if (*end == '\0')
            break;
        s = end + 1;
    }
    if (p.t == NULL) {
        rc = fault_set(f, FAULT_INVALID, SIG_FIELD, "no timestamp");
        goto done;
    }
    if (p.n_v1 == 0) {
        rc = fault_set(f, FAULT_INVALID, SIG_FIELD, "no v1 signature");
        goto done;
    }

    /* Every (secret, v1) pair is compared: the time taken does not depend
     * on which one matches. */
    bool match = false;
    size_t n_secrets = 0;
    const char *cursor = secrets ? secrets : "", *key;
    size_t key_len;
    while (n_secrets < STRIPE_SIG_MAX_SECRETS &&
           next_secret(&cursor, &key, &key_len)) {
        n_secrets++;
        crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, key_len);
        crypto_auth_hmacsha256_update(&st, (const unsigned char *)p.t, p.t_len);
        crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
        crypto_auth_hmacsha256_update(&st, payload, len);
        crypto_auth_hmacsha256_final(&st, mac);
        for (size_t i = 0; i < p.n_v1; i++)
            match |= sodium_memcmp(mac, p.v1[i], sizeof mac) == 0;
    }
    if (n_secrets == 0) {
        rc = fault_set(f, FAULT_INTERNAL, NULL,
                       "no Stripe webhook secret configured");
        goto done;
    }
    if (!match) {
        rc = fault_set(f, FAULT_INVALID, SIG_FIELD, "no signature matches");
        goto done;
    }
    /* Checked after the signature, so that "outside the tolerance" is only
     * ever said of a header Stripe really signed (a replay, a slow queue). */
    if (now - p.t_value > STRIPE_SIG_TOLERANCE ||
        p.t_value - now > STRIPE_SIG_TOLERANCE) {
        rc = fault_set(f, FAULT_INVALID, SIG_FIELD,
                       "timestamp outside the tolerance");
        goto done;
    }
    if (timestamp)
        *timestamp = p.t_value;
done:
    sodium_memzero(&st, sizeof st);
    sodium_memzero(mac, sizeof mac);
    return rc;
}
