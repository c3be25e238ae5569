#ifndef PLEDGED_EVENT_H
#define PLEDGED_EVENT_H
/*
 * The event log's vocabulary (docs/EVENTS.md): the event types and one
 * event as read back. The events themselves are written by the database,
 * in the transaction of the change they describe (sql/007_events.sql);
 * this is what the rest of the code needs to page, filter and send them.
 */
#include "core/campaign.h"
#include "core/fault.h"
#include "core/uuid.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EVENT_TYPE_MAX 32     /* "payment.succeeded" + NUL, with room */
#define EVENT_TYPES_MAX 16    /* types in one filter */
#define EVENT_PAGE_MAX 1000   /* events in one page */

/* One event: its data and personal data are JSON object texts that live
 * as long as the callback that receives them. */
struct event_row {
    int64_t seq;                       /* global, gap-free, from 1 */
    char id[UUID_STR_LEN];             /* the webhook-id of its deliveries */
    char type[EVENT_TYPE_MAX];
    char campaign_id[CAMPAIGN_ID_MAX + 1]; /* "" when none */
    char created_at[40];               /* RFC 3339, UTC, microseconds */
    const char *data;                  /* never holds a donor's email */
    const char *personal;              /* {"donor_email": ...} or NULL */
};

/* The types that exist (each written by sql/007_events.sql or by a use
 * case): NULL-terminated. */
extern const char *const event_types[];

bool event_type_known(const char *type);

/* A filter: types separated by commas ("pledge.created,payment.succeeded")
 * into out[], each known, at most EVENT_TYPES_MAX, no blanks. An empty or
 * NULL text is no filter (*n = 0). 0 or FAULT_INVALID on field. */
int event_types_parse(char out[][EVENT_TYPE_MAX], size_t *n, const char *text,
                      const char *field, struct fault *f)
    __attribute__((warn_unused_result));

/* True when a filter of n types lets type through (n = 0: all). */
bool event_type_wanted(char types[][EVENT_TYPE_MAX], size_t n,
                       const char *type);

#endif
