#ifndef PLEDGED_CORE_SOURCE_H
#define PLEDGED_CORE_SOURCE_H
/* Attribution: the page a pledge was made on and its utm_* parameters
 * (docs/WIDGET.md, "Attribution"). Optional; never hashed or signed. */
#include "core/fault.h"

#include <stdbool.h>
#include <stddef.h>

#define SOURCE_PAGE_MAX 2048 /* bytes */
#define SOURCE_UTM_MAX 200   /* bytes each */
#define SOURCE_UTM_N 5

/* "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content":
 * the body fields, in this order. */
extern const char *const source_utm_names[SOURCE_UTM_N];

struct pledge_source {
    char page[SOURCE_PAGE_MAX + 1]; /* "" when not given */
    char utm[SOURCE_UTM_N][SOURCE_UTM_MAX + 1];
};

/* As received (pointers into the request body; NULL when absent). */
struct source_request {
    const char *page;
    size_t page_len;
    const char *utm[SOURCE_UTM_N];
    size_t utm_len[SOURCE_UTM_N];
};

/* Checks a request's attribution: source_page an http(s) URL of at most
 * 2048 bytes, printable ASCII, with no query or fragment (the widget
 * sends the page without them: a query may carry a reader's tokens);
 * each utm_* at most 200 bytes of UTF-8 without control characters.
 * 0 or FAULT_INVALID naming the field. */
int source_check(const struct source_request *r, struct fault *f);

/* Copies a checked request into s (empty strings for what is absent). */
void source_fill(struct pledge_source *s, const struct source_request *r);

bool source_empty(const struct pledge_source *s);

#endif
