#ifndef PLEDGED_CAMPAIGN_H
#define PLEDGED_CAMPAIGN_H
/*
 * Campaigns and the rules a pledge must meet to enter one.
 *
 * A struct campaign owns no heap memory: every text field is an inline,
 * NUL-terminated array sized for its longest valid value, so campaigns copy
 * by assignment. A campaign that passed campaign_validate() has a valid slug,
 * a known currency, 1..CAMPAIGN_TIERS_MAX strictly ascending tiers, and
 * 0 < min_custom_minor <= max_custom_minor <= MONEY_MAX_EXACT.
 */
#include "core/fault.h"
#include "core/merkle.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CAMPAIGN_ID_MAX 64
#define CAMPAIGN_TITLE_MAX 200 /* characters */
#define CAMPAIGN_TIERS_MAX 16
#define CAMPAIGN_ORIGINS_MAX 8
#define CAMPAIGN_ORIGIN_MAX 255
#define CAMPAIGN_LINK_MAX 500
#define CAMPAIGN_TTL_MAX (366LL * 86400) /* pledge_ttl_s at most a year */

enum supporters_list { SUPPORTERS_OFF, SUPPORTERS_PUBLIC, SUPPORTERS_MODERATED };

/* "off", "public", "moderated". */
const char *supporters_list_name(enum supporters_list l);
/* 0, or -1 for another name. */
int supporters_list_parse(enum supporters_list *out, const char *s);

struct campaign {
    char id[CAMPAIGN_ID_MAX + 1];
    char title[CAMPAIGN_TITLE_MAX * 4 + 1];
    char currency[4];
    int64_t goal_minor;
    int64_t tiers[CAMPAIGN_TIERS_MAX];
    size_t ntiers;
    int64_t min_custom_minor;
    int64_t max_custom_minor;
    bool has_deadline;
    int64_t deadline_us;
    bool open;
    char origins[CAMPAIGN_ORIGINS_MAX][CAMPAIGN_ORIGIN_MAX + 1];
    size_t norigins;
    int64_t version; /* bumped by every change; part of the totals ETag */
    /* Money (docs/PAYMENTS.md): the payment provider ("" promises only,
     * "stripe" or "offline"), whether the widget shows collected money as
     * raised (the default with a provider), a payment link readers are
     * sent to with their pledge id, and how long a promise may stay unpaid
     * before the sweep voids it (0: never). */
    char provider[16];
    bool show_collected;
    char payment_link[CAMPAIGN_LINK_MAX + 1];
    int64_t pledge_ttl_s;
    /* Recent supporters on the widget (docs/WIDGET.md): none, the latest
     * pledges (names unless anonymous or hidden by staff), or only those
     * staff approved. */
    enum supporters_list supporters;
};

/* What the ledger sums to for one campaign, at ledger position seq. */
struct totals {
    int64_t seq;
    int64_t raised_minor;    /* promised: pledges less refunds and voids */
    int64_t collected_minor; /* received: payments less reversals */
    int64_t supporters;
    unsigned char head_hash[32]; /* entry_hash at seq; zeros when seq = 0 */
    struct merkle_frontier tree; /* the Merkle tree's right edge, size seq */
};

enum pledge_kind { PLEDGE_TIER, PLEDGE_CUSTOM };

/* Fills c with the spec's defaults (bounds 100..100000000, open, no tiers,
 * no deadline); the caller sets the rest. */
void campaign_defaults(struct campaign *c);

/* True if id matches [a-z0-9-]{1,64}. */
bool campaign_id_valid(const char *id);

/* Checks every field; 0 or FAULT_INVALID naming the field. */
int campaign_validate(const struct campaign *c, struct fault *f)
    __attribute__((warn_unused_result));

/* 0 if c takes pledges at time now_us, else FAULT_CLOSED. */
int campaign_accepts(const struct campaign *c, int64_t now_us,
                     struct fault *f) __attribute__((warn_unused_result));

/* Classifies amount: a tier if it equals one (whatever the custom bounds),
 * else custom within [min_custom_minor, max_custom_minor]; otherwise
 * FAULT_AMOUNT_RANGE with field "amount_minor". */
int campaign_classify(enum pledge_kind *kind, const struct campaign *c,
                      int64_t amount_minor, struct fault *f)
    __attribute__((warn_unused_result));

/* Whole percent of the goal raised, floored, 0 when the goal is 0. */
int64_t campaign_percent(const struct campaign *c, int64_t raised_minor);

#endif
