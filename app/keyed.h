#ifndef PLEDGED_APP_KEYED_H
#define PLEDGED_APP_KEYED_H
/*
 * Idempotency for every use case that creates something under a key
 * (pledges, refunds, campaigns): the one lookup of what a key recorded,
 * compared in constant time (idem_matches), and the one retry loop for a
 * key raced by a concurrent request: the loser's transaction records
 * nothing (FAULT_RETRY from the store) and runs again, when the key shows
 * up as a replay of the winner's result.
 */
#include "core/fault.h"
#include "core/pledge.h"
#include "store/store.h"

/* What idem's key recorded: 1 (a replay of this request for `want`; *rec
 * filled), 0 (a new key, or idem NULL), or a fault: FAULT_IDEM_REUSED when
 * the key was used for another request or another kind of resource. */
int keyed_lookup(struct idem_record *rec, struct store *s,
                 const struct idem *idem, const char *want, struct fault *f)
    __attribute__((warn_unused_result));

/* Runs op until it does not lose a key race (FAULT_RETRY), at most a few
 * times, then FAULT_IDEM_IN_FLIGHT. op's other results are returned. */
int keyed_run(int (*op)(void *ctx, struct fault *f), void *ctx,
              struct fault *f) __attribute__((warn_unused_result));

#endif
