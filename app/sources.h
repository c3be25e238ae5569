#ifndef PLEDGED_APP_SOURCES_H
#define PLEDGED_APP_SOURCES_H
/* Gifts and totals per article and source, for staff (docs/ADMIN.md). */
#include "app/app.h"
#include "store/sources.h"

/* The campaign (into *c) and its pledges summed per page and source
 * (store_sources). FAULT_NOT_FOUND for an unknown campaign. */
int admin_sources(struct campaign *c, struct app *a, const char *campaign_id,
                  int (*fn)(void *ctx, const struct source_total *t),
                  void *ctx, struct fault *f)
    __attribute__((warn_unused_result));

#endif
