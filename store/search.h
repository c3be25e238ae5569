#ifndef PLEDGED_STORE_SEARCH_H
#define PLEDGED_STORE_SEARCH_H
/* Staff reads over a whole campaign: finding pledges, and the ledger's
 * sums per day or hour (docs/ADMIN.md). */
#include "store/store.h"

/* What a search matches; each part unset is skipped, and a pledge matching
 * any part is found. */
struct pledge_query {
    const char *text;   /* in donor_name or donor_email, any case; NULL: none */
    bool has_amount;
    int64_t amount_minor; /* exactly */
    const char *id;     /* a pledge id (a valid UUID); NULL: none */
};

/* Calls fn for up to limit pledges of campaign_id matching q, newest first. */
int store_pledges_search(struct store *s, const char *campaign_id,
                         const struct pledge_query *q, int limit,
                         int (*fn)(void *ctx, const struct pledge_row *p),
                         void *ctx, struct fault *f)
    __attribute__((warn_unused_result));

/* One bucket of a campaign's ledger. */
struct series_point {
    char start[32];          /* RFC 3339, UTC: "2026-11-26T00:00:00Z" */
    int64_t pledged_minor;   /* pledges made in it */
    int64_t raised_minor;    /* pledges less refunds and voids in it */
    int64_t collected_minor; /* payments less reversals in it */
    int64_t pledges;         /* pledges made in it */
    int64_t refunds;         /* refunds made in it */
};

/* Calls fn for every bucket (hour: true for hours, else days, in UTC)
 * holding at least one ledger entry of campaign_id, oldest first. */
int store_series(struct store *s, const char *campaign_id, bool hour,
                 int (*fn)(void *ctx, const struct series_point *p),
                 void *ctx, struct fault *f)
    __attribute__((warn_unused_result));

#endif
