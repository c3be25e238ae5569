#include "core/cidr.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0,
                                         0, 0, 0, 0, 0xff, 0xff};

size_t cidr_addr_parse(unsigned char out[16], const char *s, size_t len)
{
    char tmp[64];
    if (s == NULL || len == 0 || len >= sizeof tmp)
        return 0;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    if (inet_pton(AF_INET, tmp, out) == 1)
        return 4;
    if (inet_pton(AF_INET6, tmp, out) != 1)
        return 0;
    if (memcmp(out, mapped, sizeof mapped) == 0) {
        memmove(out, out + 12, 4);
        return 4;
    }
    return 16;
}

int cidr_list_parse(struct cidr_list *out, const char *spec, struct fault *f)
{
    memset(out, 0, sizeof *out);
    const char *p = spec ? spec : "";
    while (*p) {
        size_t n = strcspn(p, ", \t");
        if (n == 0) {
            p++;
            continue;
        }
        if (out->n == CIDR_MAX)
            return fault_set(f, FAULT_INVALID, "PLEDGED_TRUSTED_PROXIES",
                             "at most %d ranges", CIDR_MAX);
        struct cidr *c = &out->items[out->n];
        const char *slash = memchr(p, '/', n);
        size_t alen = slash ? (size_t)(slash - p) : n;
        c->len = cidr_addr_parse(c->addr, p, alen);
        bool ok = c->len != 0;
        c->prefix = (unsigned)c->len * 8;
        if (ok && slash) {
            char digits[4] = "";
            size_t dn = n - alen - 1;
            ok = dn >= 1 && dn <= 3;
            for (size_t i = 0; ok && i < dn; i++)
                ok = slash[1 + i] >= '0' && slash[1 + i] <= '9';
            if (ok) {
                memcpy(digits, slash + 1, dn);
                unsigned v = (unsigned)strtoul(digits, NULL, 10);
                ok = v <= c->len * 8;
                c->prefix = v;
            }
        }
        if (!ok)
            return fault_set(f, FAULT_INVALID, "PLEDGED_TRUSTED_PROXIES",
                             "not an address or address/prefix: %.*s",
                             (int)(n < 64 ? n : 64), p);
        out->n++;
        p += n;
    }
    return 0;
}

static bool in_range(const struct cidr *c, const unsigned char *a)
{
    unsigned bits = c->prefix, i = 0;
    for (; bits >= 8; bits -= 8, i++)
        if (a[i] != c->addr[i])
            return false;
    if (bits == 0)
        return true;
    unsigned char mask = (unsigned char)(0xff << (8 - bits));
    return (a[i] & mask) == (c->addr[i] & mask);
}

bool cidr_list_contains(const struct cidr_list *l, const unsigned char *addr,
                        size_t len)
{
    unsigned char v4[4];
    if (l == NULL)
        return false;
    if (len == 16 && memcmp(addr, mapped, sizeof mapped) == 0) {
        memcpy(v4, addr + 12, 4);
        addr = v4, len = 4;
    }
    for (size_t i = 0; i < l->n; i++)
        if (l->items[i].len == len && in_range(&l->items[i], addr))
            return true;
    return false;
}
