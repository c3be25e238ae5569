#ifndef PLEDGED_STORE_SUPPORTERS_H
#define PLEDGED_STORE_SUPPORTERS_H
/* Recent supporters and staff's moderation of them (sql/010_readers.sql). */
#include "store/store.h"

/* One line of the list: a name, or NULL for an anonymous supporter. */
struct supporter {
    const char *name;
    const char *created_at;
};

/* Calls fn for up to limit of campaign_id's latest pledges neither
 * refunded nor voided, newest first. moderated: only those staff approved.
 * The name is NULL when the pledge is anonymous, has none, or staff hid
 * it. */
int store_supporters(struct store *s, const char *campaign_id, bool moderated,
                     int limit,
                     int (*fn)(void *ctx, const struct supporter *p),
                     void *ctx, struct fault *f)
    __attribute__((warn_unused_result));

/* Sets a pledge's moderation ("approved" or "hidden", replacing any
 * earlier word) and writes log (its target the pledge) in the same
 * transaction; campaign_id gets the pledge's campaign. FAULT_NOT_FOUND. */
int store_moderate(char campaign_id[CAMPAIGN_ID_MAX + 1], struct store *s,
                   const char *pledge_id, const char *state,
                   const struct admin_action *log, struct fault *f)
    __attribute__((warn_unused_result));

#endif
