#include "core/text.h"

#include <string.h>

bool text_has_controls(const char *s, size_t len, bool multiline)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len; i++) {
        if (p[i] < 0x20 || p[i] == 0x7f) {
            if (!(multiline &&
                  (p[i] == '\n' || p[i] == '\r' || p[i] == '\t')))
                return true;
        } else if (p[i] == 0xc2 && i + 1 < len && p[i + 1] >= 0x80 &&
                   p[i + 1] <= 0x9f) {
            return true; /* U+0080..U+009F in UTF-8 */
        }
    }
    return false;
}

size_t text_normalise_newlines(char *out, size_t cap, const char *s,
                               size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n + 1 < cap; i++) {
        if (s[i] == '\r') {
            out[n++] = '\n';
            if (i + 1 < len && s[i + 1] == '\n')
                i++;
        } else {
            out[n++] = s[i];
        }
    }
    if (cap)
        out[n] = '\0';
    return n;
}

static bool alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
}

bool text_email_valid(const char *s, size_t len)
{
    const char *at = s ? memchr(s, '@', len) : NULL;
    if (at == NULL || len > 254)
        return false;
    size_t local = (size_t)(at - s);
    if (local == 0 || local > 64)
        return false;
    for (size_t i = 0; i < local; i++)
        if (!alnum(s[i]) && strchr(".!#$%&'*+/=?^_`{|}~-", s[i]) == NULL)
            return false;
    const char *d = at + 1, *end = s + len;
    if (d == end)
        return false;
    size_t label = 0;
    for (const char *p = d; p <= end; p++) {
        if (p == end || *p == '.') {
            if (label == 0 || label > 63 || p[-1] == '-' || p[-label] == '-')
                return false;
            label = 0;
        } else if (alnum(*p) || *p == '-') {
            label++;
        } else {
            return false; /* a second '@', space, control, non-ASCII... */
        }
    }
    return true;
}
