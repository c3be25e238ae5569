#ifndef PLEDGED_APP_STRIPE_PAY_H
#define PLEDGED_APP_STRIPE_PAY_H
/*
 * Stripe's money in the ledger (docs/PAYMENTS.md, "Stripe"): a card
 * charged for a pledge, a refund given back through Stripe, and the
 * webhook events that tell us what Stripe did. Every path ends in
 * app/payments.h's one append, whose unique provider references make each
 * movement count once however often and in whatever order it is reported:
 * by our own call's answer, by a webhook, by a webhook again.
 *
 * References in the ledger: a payment is the charge ("ch_...") or, for a
 * Checkout Session (Payment Links), its PaymentIntent ("pi_...") or the
 * session ("cs_..."). Money given back is "<payment>@refunded:<R>", R being
 * what Stripe says was refunded of that charge in all, or
 * "<payment>@<dispute id>": so the ledger knows what is still held of each
 * payment (pledge_money.ref_held) and applies only the difference.
 */
#include "app/payments.h"
#include "core/stripe_event.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct app;

/* Charges a card token ("tok_...", from Stripe.js) for pledge_id of
 * campaign_id: the pledge's amount in its currency, captured at once,
 * metadata.pledge_id set, under the Idempotency-Key
 * "pledged-charge-<pledge>.<hash of the token>" (a retry of the same token never
 * charges twice; a new card is a new token). One charge per pledge runs at
 * a time (an advisory lock: FAULT_CONFLICT while another runs), and
 * a pledge that holds money already is not charged again: *res is then its
 * payment (recorded false) when Stripe paid it, else FAULT_CONFLICT.
 * Faults: FAULT_INVALID on "token", FAULT_NOT_FOUND (no such pledge in
 * that campaign), FAULT_CONFLICT (no card payments for this campaign or
 * server; a free, voided or refunded pledge), FAULT_DECLINED (nothing
 * charged: the promise stays open for another card), FAULT_PROVIDER (the
 * outcome is unknown: retry with the same token; the webhook records the
 * charge if it went through). */
int stripe_card_pay(struct payment_result *res, struct app *a,
                    const char *campaign_id, const char *pledge_id,
                    const char *token, struct fault *f)
    __attribute__((warn_unused_result));

/* Before staff refund a pledge: gives back through Stripe the money a
 * Stripe charge paid for it (POST /v1/refunds, all that is left, key
 * "pledged-refund-<pledge>"), and writes the reversal's reference
 * ("<charge>@refunded:<R>") to ref. ref is "" when the pledge holds no
 * Stripe money (nothing to call). FAULT_CONFLICT when Stripe money is held
 * but this server has no Stripe key, or was paid through a Checkout
 * Session (refund it in Stripe's Dashboard: the webhook records it);
 * FAULT_PROVIDER when Stripe did not answer (nothing recorded; retry). */
int stripe_refund_held(char ref[LEDGER_REF_MAX + 1], struct app *a,
                       const char *pledge_id, struct fault *f)
    __attribute__((warn_unused_result));

/* What a webhook delivery did (the answer's body). */
struct stripe_webhook_result {
    char event_id[STRIPE_ID_MAX];
    char type[STRIPE_TYPE_MAX];
    /* "recorded" (the ledger changed), "unchanged" (it said so already),
     * "duplicate" (this event was handled before), "ignored" (not ours,
     * or a type we do not act on). */
    const char *outcome;
    char detail[160]; /* why, for ignored; what, for recorded */
};

/* Handles one delivery to POST /v1/providers/stripe/webhook: checks the
 * Stripe-Signature header over the raw body at now (Unix seconds), parses
 * the event, applies it (docs/PAYMENTS.md: charge.succeeded,
 * charge.captured, charge.refunded, charge.dispute.created,
 * checkout.session.completed, checkout.session.async_payment_succeeded,
 * checkout.session.expired; charge.failed leaves the promise open), then
 * records its id: an event applied twice changes nothing the second time,
 * so a crash between the two is safe. Faults: FAULT_INVALID with field
 * "Stripe-Signature" (bad signature, old timestamp) or the event's JSON
 * path (unreadable event), FAULT_UNAVAILABLE (no webhook secret set, or
 * the database is down: Stripe retries), FAULT_PROVIDER (a charge had to
 * be read from Stripe and could not be). */
int stripe_webhook(struct stripe_webhook_result *out, struct app *a,
                   const char *signature, const char *body, size_t len,
                   int64_t now, struct fault *f)
    __attribute__((warn_unused_result));

/* True when this server can charge cards (a Stripe key is set). */
bool stripe_cards_enabled(const struct app *a);

#endif
