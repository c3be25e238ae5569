#ifndef PLEDGED_PAYMENT_H
#define PLEDGED_PAYMENT_H
/*
 * Money for a pledge: what its entries say (struct pledge_money), the
 * status that follows from them, and the rules that turn a use case
 * (record a payment, give money back, refund, void) into the entries to
 * append. Pure: the store reads the state under the campaign's lock and
 * appends what these rules decide, so two instances racing (a webhook and
 * the sweep, two webhooks) always see each other's entries.
 */
#include "core/fault.h"
#include "core/ledger.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the ledger says about one pledge's money. */
struct pledge_money {
    int64_t promised;  /* the pledge's amount_minor */
    int64_t paid;      /* its payments less its reversals */
    int64_t payments;  /* how many payment entries */
    bool voided, refunded, disputed;
    /* Money held of one payment (the caller names its reference:
     * struct money_append.held_ref): that payment less the reversals
     * whose reference is "<reference>@...". 0 when none was named. */
    int64_t ref_held;
    /* The latest payment's (to give money back the way it came). */
    char provider[LEDGER_WORD_MAX + 1];
    char reference[LEDGER_REF_MAX + 1];
    char method[LEDGER_WORD_MAX + 1];
};

/* The status staff see: "refunded", "disputed", "paid" (money held),
 * "void" (withdrawn unpaid) or "pledged" (a promise, nothing received). */
const char *payment_status(const struct pledge_money *m);

/* One entry to append for a pledge (amount signed as its kind wants). */
struct money_move {
    enum entry_kind kind;
    int64_t amount_minor;
    char provider[LEDGER_WORD_MAX + 1];
    char reference[LEDGER_REF_MAX + 1];
    char method[LEDGER_WORD_MAX + 1];
    char reason[LEDGER_WORD_MAX + 1];
};

#define MONEY_MOVES_MAX 2

/* A provider or method name: [a-z_]{1,15}. */
bool payment_word_valid(const char *s);
/* A provider's reference: printable ASCII, 1..LEDGER_REF_MAX. */
bool payment_reference_valid(const char *s);

/* Money received: always recorded, whatever the pledge's state (money
 * that arrived is counted). One move. FAULT_INVALID for a bad amount,
 * provider, reference or method (fields named). */
int payment_receive(struct money_move *out, size_t *n,
                    const struct pledge_money *m, int64_t amount,
                    const char *provider, const char *reference,
                    const char *method, struct fault *f)
    __attribute__((warn_unused_result));

/* Money given back (reason "refund" or "dispute") for at most what the
 * pledge holds: FAULT_CONFLICT beyond it. One move. */
int payment_reverse(struct money_move *out, size_t *n,
                    const struct pledge_money *m, int64_t amount,
                    const char *provider, const char *reference,
                    const char *reason, struct fault *f)
    __attribute__((warn_unused_result));

/* Money given back by the provider, as it reports it: what is still held
 * of one payment (m->ref_held) comes down to `held`, and no further than
 * the pledge holds (m->paid). Nothing (*n = 0) when that asks for nothing,
 * so the provider's events may come in any order and any number of times:
 * the latest state wins and no reversal is counted twice. One move. */
int payment_reverse_to(struct money_move *out, size_t *n,
                       const struct pledge_money *m, int64_t held,
                       const char *provider, const char *reference,
                       const char *reason, struct fault *f)
    __attribute__((warn_unused_result));

/* A refund: the promise reversed (-raised; not again if it was voided)
 * and, when money is held, that money given back first (-collected,
 * reason refund, reference `reversal_ref` from the provider that paid it
 * back). FAULT_CONFLICT when already refunded, or voided and unpaid. One
 * or two moves. */
int payment_refund(struct money_move *out, size_t *n,
                   const struct pledge_money *m, const char *reversal_ref,
                   struct fault *f) __attribute__((warn_unused_result));

/* The sweep's void: nothing (*n = 0) unless the promise is still open
 * and unpaid (not voided, refunded or paid). */
void payment_void(struct money_move *out, size_t *n,
                  const struct pledge_money *m);

#endif
