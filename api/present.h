#ifndef PLEDGED_PRESENT_H
#define PLEDGED_PRESENT_H
/* The public JSON shapes of core objects (new references, NULL when out of
 * memory). Private donor fields never appear here. */
#include "core/campaign.h"
#include "core/pledge.h"

#include <jansson.h>

json_t *present_campaign(const struct campaign *c, const struct totals *t);

/* The totals of the spec: {campaign_id, currency, raised_minor, supporters,
 * goal_minor, percent, seq}. */
json_t *present_totals(const struct campaign *c, const struct totals *t);

/* A pledge as the public sees it: donor_name null when anonymous, never
 * the email. */
json_t *present_pledge(const struct pledge *p);

/* A money entry (payment, payment_reversal) with its provider, reference
 * and method. */
struct ledger_entry;
json_t *present_payment(const struct ledger_entry *e);

#endif
