#include "core/source.h"

#include "core/text.h"
#include "core/utf8.h"

#include <string.h>
#include <strings.h>

const char *const source_utm_names[SOURCE_UTM_N] = {
    "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"};

static int page_check(const char *p, size_t n, struct fault *f)
{
    size_t scheme = n >= 8 && strncasecmp(p, "https://", 8) == 0   ? 8
                    : n >= 7 && strncasecmp(p, "http://", 7) == 0 ? 7
                                                                   : 0;
    if (scheme == 0 || n == scheme)
        return fault_set(f, FAULT_INVALID, "source_page",
                         "source_page must be an http:// or https:// URL");
    if (n > SOURCE_PAGE_MAX)
        return fault_set(f, FAULT_INVALID, "source_page",
                         "source_page is longer than %d bytes",
                         SOURCE_PAGE_MAX);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c <= 0x20 || c >= 0x7f)
            return fault_set(f, FAULT_INVALID, "source_page",
                             "source_page must be printable ASCII "
                             "(percent-encode the rest)");
        if (c == '?' || c == '#')
            return fault_set(f, FAULT_INVALID, "source_page",
                             "source_page must be sent without its query "
                             "or fragment (utm_* go in fields of their own)");
    }
    return 0;
}

int source_check(const struct source_request *r, struct fault *f)
{
    int rc;
    if (r->page && r->page_len && (rc = page_check(r->page, r->page_len, f)))
        return rc;
    for (int i = 0; i < SOURCE_UTM_N; i++) {
        const char *v = r->utm[i];
        size_t n = r->utm_len[i];
        if (v == NULL)
            continue;
        if (n > SOURCE_UTM_MAX)
            return fault_set(f, FAULT_INVALID, source_utm_names[i],
                             "%s is longer than %d bytes",
                             source_utm_names[i], SOURCE_UTM_MAX);
        if (!utf8_valid(v, n, NULL) || text_has_controls(v, n, false))
            return fault_set(f, FAULT_INVALID, source_utm_names[i],
                             "%s must be UTF-8 without control characters",
                             source_utm_names[i]);
    }
    return 0;
}

static void copy(char *out, size_t cap, const char *s, size_t n)
{
    if (s == NULL || n >= cap)
        n = 0;
    if (n)
        memcpy(out, s, n);
    out[n] = '\0';
}

void source_fill(struct pledge_source *s, const struct source_request *r)
{
    copy(s->page, sizeof s->page, r->page, r->page_len);
    for (int i = 0; i < SOURCE_UTM_N; i++)
        copy(s->utm[i], sizeof s->utm[i], r->utm[i], r->utm_len[i]);
}

bool source_empty(const struct pledge_source *s)
{
    if (s->page[0])
        return false;
    for (int i = 0; i < SOURCE_UTM_N; i++)
        if (s->utm[i][0])
            return false;
    return true;
}
