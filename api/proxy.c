#include "api/proxy.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#define HOPS_MAX 32

struct hop {
    unsigned char addr[16];
    size_t len; /* 0: unreadable */
};

static void trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t'))
        (*s)++, (*n)--;
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

/* An address as a hop names it: "1.2.3.4", "1.2.3.4:80", "[v6]",
 * "[v6]:80", a bare v6 (X-Forwarded-For), with optional quotes. */
static size_t hop_addr(unsigned char out[16], const char *s, size_t n)
{
    trim(&s, &n);
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"')
        s++, n -= 2;
    if (n && s[0] == '[') {
        const char *close = memchr(s, ']', n);
        return close ? cidr_addr_parse(out, s + 1, (size_t)(close - s - 1))
                     : 0;
    }
    const char *colon = memchr(s, ':', n);
    if (colon && memchr(colon + 1, ':', (size_t)(s + n - colon - 1)) == NULL)
        n = (size_t)(colon - s); /* v4:port */
    return cidr_addr_parse(out, s, n);
}

/* Reads the hops of s (elements separated by commas outside quotes) into
 * a ring of the HOPS_MAX right-most ones; returns how many there were. */
static size_t split(struct hop *hops, const char *s, bool fwd)
{
    size_t nhops = 0;
    while (s && *s) {
        bool quoted = false;
        const char *p = s;
        for (; *p && (quoted || *p != ','); p++)
            if (*p == '"')
                quoted = !quoted;
        size_t n = (size_t)(p - s);
        struct hop *h = &hops[nhops++ % HOPS_MAX];
        h->len = 0;
        if (!fwd) {
            h->len = hop_addr(h->addr, s, n);
        } else { /* for=...;proto=...;by=... */
            const char *q = s;
            while (q < s + n) {
                bool inq = false;
                const char *e = q;
                for (; e < s + n && (inq || *e != ';'); e++)
                    if (*e == '"')
                        inq = !inq;
                const char *kv = q;
                size_t kn = (size_t)(e - q);
                trim(&kv, &kn);
                if (kn > 4 && strncasecmp(kv, "for=", 4) == 0)
                    h->len = hop_addr(h->addr, kv + 4, kn - 4);
                q = e + 1;
            }
        }
        s = *p ? p + 1 : p;
    }
    return nhops;
}

void proxy_client(unsigned char out[16], size_t *outlen,
                  const unsigned char *peer, size_t peer_len,
                  const char *chain, bool forwarded,
                  const struct cidr_list *trusted)
{
    memcpy(out, peer, peer_len);
    *outlen = peer_len;
    if (!cidr_list_contains(trusted, peer, peer_len))
        return;
    struct hop hops[HOPS_MAX];
    size_t n = split(hops, chain, forwarded);
    size_t stop = n > HOPS_MAX ? n - HOPS_MAX : 0;
    for (size_t i = n; i-- > stop;) {
        const struct hop *h = &hops[i % HOPS_MAX];
        if (h->len == 0)
            return; /* unreadable: the last trusted hop stands */
        memcpy(out, h->addr, h->len);
        *outlen = h->len;
        if (!cidr_list_contains(trusted, h->addr, h->len))
            return;
    }
}
