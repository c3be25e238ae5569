#ifndef PLEDGED_STORE_SOURCES_H
#define PLEDGED_STORE_SOURCES_H
/* Gifts per article and source (sql/010_readers.sql). */
#include "core/source.h"
#include "store/store.h"

/* One page and utm_source / utm_medium / utm_campaign, and its gifts. */
struct source_total {
    const char *page;         /* "" when the pledge named none */
    const char *utm[3];       /* source, medium, campaign; "" when absent */
    int64_t gifts;            /* pledges */
    int64_t pledged_minor;    /* their amounts */
    int64_t kept;             /* those neither refunded nor voided */
    int64_t raised_minor;     /* their amounts */
};

/* Calls fn for each page and source of campaign_id's pledges (pledges
 * without attribution together, page ""), the most raised first. */
int store_sources(struct store *s, const char *campaign_id,
                  int (*fn)(void *ctx, const struct source_total *t),
                  void *ctx, struct fault *f)
    __attribute__((warn_unused_result));

#endif
