#ifndef PLEDGED_APP_SUPPORTERS_H
#define PLEDGED_APP_SUPPORTERS_H
/* Recent supporters on the widget, and staff moderating them
 * (docs/WIDGET.md, docs/ADMIN.md). */
#include "app/app.h"
#include "store/supporters.h"

#define SUPPORTERS_SHOWN 10

/* The campaign (into *c) and, unless its supporters_list is off, its
 * latest SUPPORTERS_SHOWN supporters as the public may see them
 * (store_supporters). FAULT_NOT_FOUND for an unknown campaign. */
int supporters_recent(struct campaign *c, struct app *a,
                      const char *campaign_id,
                      int (*fn)(void *ctx, const struct supporter *p),
                      void *ctx, struct fault *f)
    __attribute__((warn_unused_result));

/* Staff approve a pledge for the list, or hide its name ("approved",
 * "hidden"), logged as pledge.moderate. FAULT_NOT_FOUND. */
int admin_moderate(char campaign_id[CAMPAIGN_ID_MAX + 1], struct app *a,
                   const char *who, const char *pledge_id, const char *state,
                   struct fault *f) __attribute__((warn_unused_result));

#endif
