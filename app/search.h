#ifndef PLEDGED_APP_SEARCH_H
#define PLEDGED_APP_SEARCH_H
/* Staff finding a gift, and a campaign's money over time (docs/ADMIN.md). */
#include "app/app.h"
#include "store/search.h"

/* Up to limit pledges of campaign_id that q names: a pledge id (a UUID),
 * an amount in the campaign's major units ("12.50", "2,500"), or text
 * found in the donor's name or email (any case); an amount is also
 * searched as text. Donors' data: the read is logged first
 * (pledges.search), or refused. FAULT_NOT_FOUND for an unknown campaign. */
int admin_pledges_search(struct app *a, const char *who,
                         const char *campaign_id, const char *q, int limit,
                         int (*fn)(void *ctx, const struct pledge_row *p),
                         void *ctx, struct fault *f)
    __attribute__((warn_unused_result));

/* The campaign (into *c) and its ledger per day or hour (store_series).
 * FAULT_NOT_FOUND for an unknown campaign. */
int admin_series(struct campaign *c, struct app *a, const char *campaign_id,
                 bool hour, int (*fn)(void *ctx, const struct series_point *p),
                 void *ctx, struct fault *f)
    __attribute__((warn_unused_result));

#endif
