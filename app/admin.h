#ifndef PLEDGED_APP_ADMIN_H
#define PLEDGED_APP_ADMIN_H
/*
 * What staff do: sign in with a token, list and change campaigns, page
 * through pledges, refund, audit, manage tokens. Every change and its
 * admin_log row (who did it, with the token's name) commit in one
 * transaction: an unrecorded admin action is not possible. `who` NULL
 * (the command line, run by whoever holds the database) logs nothing.
 */
#include "app/audit.h"
#include "core/campaign.h"
#include "core/fault.h"
#include "core/pledge.h"
#include "core/receipt.h"
#include "core/token.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct app;

/* The name of the live token whose text this is: 0, or FAULT_NOT_FOUND
 * (unknown or revoked). Only the token's hash is looked up. */
int admin_token_check(char name[TOKEN_NAME_MAX + 1], struct app *a,
                      const char *token, size_t len, struct fault *f)
    __attribute__((warn_unused_result));

/* Calls fn for every campaign with its totals, by id. */
int admin_campaigns_list(struct app *a,
                         int (*fn)(void *ctx, const struct campaign *c,
                                   const struct totals *t),
                         void *ctx, struct fault *f)
    __attribute__((warn_unused_result));

/* A campaign as it is in the database now. FAULT_NOT_FOUND. */
int admin_campaign_get(struct campaign *c, struct totals *t, struct app *a,
                       const char *id, struct fault *f)
    __attribute__((warn_unused_result));

/* Creates c (validated by the caller) under idem's key (may be NULL) and
 * logs campaign.create; *stored and *t get it as stored, with its totals.
 * A retry of the same request replays (*replayed, the campaign as it is
 * now). FAULT_INVALID ("deadline") for a deadline already past,
 * FAULT_CONFLICT if the id is taken, FAULT_IDEM_REUSED. */
int admin_campaign_create(struct campaign *stored, struct totals *t,
                          bool *replayed, struct app *a, const char *who,
                          const struct campaign *c, const struct idem *idem,
                          struct fault *f)
    __attribute__((warn_unused_result));

/* Replaces c's settings (validated by the caller) and logs
 * campaign.update with detail; *stored and *t get it as stored now.
 * FAULT_NOT_FOUND. */
int admin_campaign_update(struct campaign *stored, struct totals *t,
                          struct app *a, const char *who,
                          const struct campaign *c, const char *detail,
                          struct fault *f) __attribute__((warn_unused_result));

/* Up to limit pledges of a campaign, newest first, below seq `before`
 * (0: from the newest). Donors' names and emails: with who, the read is
 * logged first (pledges.list), or refused. FAULT_NOT_FOUND for an unknown
 * campaign. */
int admin_pledges_page(struct app *a, const char *who, const char *campaign_id, int64_t before,
                       int limit,
                       int (*fn)(void *ctx, const struct pledge_row *p),
                       void *ctx, struct fault *f)
    __attribute__((warn_unused_result));

/* Refunds pledge_id (idempotent under idem) and logs pledge.refund in the
 * same transaction (not again on a replay). 0 with *r and the signed
 * receipt, whose body is NULL if it could not be stored yet (the refund
 * stands; a replay signs it again). Faults as pledging_refund(). */
int admin_refund(struct refund *r, struct signed_doc *receipt, bool *replayed,
                 struct app *a, const char *who, const char *pledge_id,
                 const struct idem *idem, struct fault *f)
    __attribute__((warn_unused_result));

/* Audits a campaign (app/audit.h) and logs campaign.audit with its
 * verdict. FAULT_NOT_FOUND. */
int admin_audit(struct audit *out, struct app *a, const char *who,
                const char *campaign_id, struct fault *f)
    __attribute__((warn_unused_result));

/* Makes a token for name under idem's key (may be NULL) and stores its
 * hash; logs token.create (with who) in the same transaction. *made gets
 * the token as stored and out its text, to show once. A retry of the same
 * request replays (*replayed): *made as stored, out "" (only the hash is
 * kept, so the text cannot be shown again). FAULT_INVALID ("name"),
 * FAULT_CONFLICT ("name": a token of that name exists, live or revoked),
 * FAULT_IDEM_REUSED. */
int admin_token_create(struct token_info *made, char out[TOKEN_TEXT_LEN],
                       bool *replayed, struct app *a, const char *who,
                       const char *name, const struct idem *idem,
                       struct fault *f) __attribute__((warn_unused_result));

/* Every token (names and dates, never text nor hash), by name. */
int admin_tokens_list(struct app *a,
                      int (*fn)(void *ctx, const struct token_info *t),
                      void *ctx, struct fault *f)
    __attribute__((warn_unused_result));

/* Revokes a live token and logs token.revoke (with who) in the same
 * transaction. FAULT_NOT_FOUND if there is no live token by that name;
 * FAULT_CONFLICT if name is who's own token (staff cannot lock themselves
 * out by mistake: another token revokes it). */
int admin_token_revoke(struct app *a, const char *who, const char *name,
                       struct fault *f) __attribute__((warn_unused_result));

#endif
