#ifndef PLEDGED_APP_SEED_H
#define PLEDGED_APP_SEED_H
/*
 * The reference campaign of the spec: "help-us", USD, goal 5,000 $, tiers
 * 0 / 2,500 / 5,000 $, and demo pledges that add up to 929 $. Seeding is
 * idempotent (fixed idempotency keys): running it again adds nothing.
 */
#include "core/fault.h"

struct store;

struct signer;

/* *added (may be NULL) gets the number of new pledges (0 on a re-run).
 * With a signer, every demo pledge also gets its stored receipt. */
int seed_reference(struct store *s, const struct signer *k, int *added,
                   struct fault *f) __attribute__((warn_unused_result));

#endif
