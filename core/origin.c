#include "core/origin.h"

#include <arpa/inet.h>
#include <string.h>

static bool ldh(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

static bool dns_name(const char *h, size_t n)
{
    if (n == 0 || n > 253)
        return false;
    size_t label = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || h[i] == '.') {
            if (label == 0 || label > 63 || h[i - 1] == '-' ||
                h[i - label] == '-')
                return false;
            label = 0;
        } else if (ldh(h[i])) {
            label++;
        } else {
            return false;
        }
    }
    return true;
}

static bool ip_literal(const char *h, size_t n)
{
    char tmp[64];
    unsigned char addr[16];
    if (n < 3 || n > sizeof tmp || h[0] != '[' || h[n - 1] != ']')
        return false;
    memcpy(tmp, h + 1, n - 2);
    tmp[n - 2] = '\0';
    for (size_t i = 0; tmp[i]; i++)
        if (tmp[i] >= 'A' && tmp[i] <= 'F')
            return false; /* browsers serialise lower case */
    return inet_pton(AF_INET6, tmp, addr) == 1;
}

static bool port_valid(const char *p, size_t n)
{
    if (n == 0 || n > 5 || p[0] == '0')
        return false;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (unsigned)(p[i] - '0');
    }
    return v <= 65535;
}

bool origin_valid(const char *s, size_t len)
{
    if (s == NULL)
        return false;
    size_t skip = len >= 8 && memcmp(s, "https://", 8) == 0   ? 8
                  : len >= 7 && memcmp(s, "http://", 7) == 0 ? 7
                                                               : 0;
    if (skip == 0)
        return false;
    const char *h = s + skip, *end = s + len;
    const char *colon = NULL;
    if (h < end && *h == '[') {
        const char *close = memchr(h, ']', (size_t)(end - h));
        if (close == NULL)
            return false;
        colon = close + 1 < end ? close + 1 : NULL;
        if (colon && *colon != ':')
            return false;
    } else {
        colon = memchr(h, ':', (size_t)(end - h));
    }
    size_t hn = (size_t)((colon ? colon : end) - h);
    if (colon && !port_valid(colon + 1, (size_t)(end - colon - 1)))
        return false;
    /* A dotted quad is also a valid DNS name by these rules. */
    return h[0] == '[' ? ip_literal(h, hn) : dns_name(h, hn);
}
