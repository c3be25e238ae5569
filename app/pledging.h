#ifndef PLEDGED_APP_PLEDGING_H
#define PLEDGED_APP_PLEDGING_H
/*
 * Pledging: requests become ledger entries, exactly once per key.
 *
 * Idempotency: with a non-NULL struct idem, the first request under a key
 * is executed and recorded with the hash of the request, in the same
 * transaction as its entry; a later request with the same key and hash
 * gets the same result back (*replayed = true) and changes nothing; with
 * another hash, or for another kind of resource, it fails with
 * FAULT_IDEM_REUSED. Two requests racing for one key: the loser's
 * transaction fails on the key's unique index (FAULT_RETRY from the store)
 * and runs again, when the key shows up as a replay. That is the one retry
 * loop, for pledges and refunds alike.
 */
#include "core/fault.h"
#include "core/pledge.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>

/* A batch item for a new pledge to campaign_id (fresh id). */
void pledging_item_init(struct batch_item *it, const char *campaign_id,
                        const struct idem *idem);

/* Writes a batch (store_pledge_batch) whose requests are ctx, an array of
 * const struct pledge_request pointers, one per item; runs it again after
 * a lost key race, then resolves each replayed item to the pledge its key
 * made (or FAULT_IDEM_REUSED). Returns 0 when the batch ran (see each
 * item) or a fault for the whole batch. */
int pledging_batch(struct store *s, struct batch_item *items, size_t n,
                   const struct pledge_request *const *reqs, struct fault *f)
    __attribute__((warn_unused_result));

/* Records one pledge to campaign_id: checks the request, the campaign
 * (open, deadline, currency, tier or custom bounds), appends the entry and
 * moves the totals in one transaction. On success *out is the committed
 * (or replayed) pledge. FAULT_INVALID, FAULT_AMOUNT_RANGE, FAULT_CURRENCY,
 * FAULT_NOT_FOUND, FAULT_CLOSED, FAULT_IDEM_*, FAULT_UNAVAILABLE; nothing
 * is written then. */
int pledging_make(struct pledge *out, bool *replayed, struct store *s,
                  const char *campaign_id, const struct pledge_request *req,
                  const struct idem *idem, struct fault *f)
    __attribute__((warn_unused_result));

/* Refunds pledge_id: the promise reversed and, if money is held, that
 * money given back first (core/payment.h payment_refund), with log (may
 * be NULL), all in one transaction. reversal_ref names the money given
 * back (a provider's refund id, once the provider paid it back); NULL:
 * "refund-<refund id>" (given back by hand). *out is the refund as its
 * receipt names it (its last entry). FAULT_NOT_FOUND for an unknown
 * pledge, FAULT_CONFLICT when it is already refunded, voided unpaid, or is
 * itself a refund; idempotency as above. */
int pledging_refund(struct refund *out, bool *replayed, struct store *s,
                    const char *pledge_id, const char *reversal_ref,
                    const struct idem *idem, const struct admin_action *log,
                    struct fault *f)
    __attribute__((warn_unused_result));

#endif
