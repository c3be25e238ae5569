/* Stripe's webhook events, applied to the ledger. Each handler is
 * idempotent by itself (the ledger's unique references), so the order of
 * the work is: check, apply, then remember the event id, and a crash
 * anywhere in between is repaired by Stripe's redelivery. */
#include "app/stripe_pay.h"

#include "app/app.h"
#include "core/payment.h"
#include "core/stripe_sig.h"
#include "core/uuid.h"
#include "provider/stripe.h"
#include "store/pool.h"
#include "store/store.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((format(printf, 3, 4))) static int
outcome(struct stripe_webhook_result *out, const char *what, const char *fmt,
        ...)
{
    out->outcome = what;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->detail, sizeof out->detail, fmt, ap); /* cut: a note */
    va_end(ap);
    return 0;
}

/* A reversal's reference, "<payment>@<what>": refused, never cut, when it
 * would not fit (a cut reference could collide with another). */
static int reversal_ref(char out[LEDGER_REF_MAX + 1], const char *payment,
                        const char *what, struct fault *f)
{
    int n = snprintf(out, LEDGER_REF_MAX + 1, "%s@%s", payment, what);
    return n > 0 && n <= LEDGER_REF_MAX
               ? 0
               : fault_set(f, FAULT_INVALID, "reference",
                           "a reference of %d characters: at most %d", n,
                           LEDGER_REF_MAX);
}

/* The pledge a payment reference was recorded for: 0, or FAULT_NOT_FOUND
 * (not recorded: not ours, or not yet). */
static int recorded(struct ledger_entry *e, struct app *a,
                    const char *reference, struct fault *f)
{
    struct store *s = pool_acquire(a->pool, POOL_WAIT_MS, f);
    int rc = s ? store_entry_by_reference(e, s, "stripe", reference,
                                          ENTRY_PAYMENT, f)
               : FAULT_UNAVAILABLE;
    pool_release(a->pool, s);
    return rc;
}

/* Records a captured charge (once) and finds the payment it is in the
 * ledger as: the charge itself (metadata.pledge_id) or the PaymentIntent a
 * Checkout Session recorded. *pay.seq is 0 when the charge is not ours. */
static int charge_payment(struct ledger_entry *pay, bool *changed,
                          struct app *a, const struct stripe_charge *ch,
                          struct fault *f)
{
    memset(pay, 0, sizeof *pay);
    *changed = false;
    struct fault nf = {0};
    int rc = recorded(pay, a, ch->id, &nf);
    if (rc == FAULT_NOT_FOUND && ch->payment_intent[0])
        rc = recorded(pay, a, ch->payment_intent, &nf);
    if (rc != FAULT_NOT_FOUND) {
        if (rc)
            *f = nf;
        return rc;
    }
    memset(pay, 0, sizeof *pay);
    bool captured = ch->paid && ch->captured &&
                    strcmp(ch->status, "succeeded") == 0;
    if (!captured || !uuid_valid(ch->pledge_id))
        return 0;
    struct payment_result res;
    rc = payments_receive(&res, a, NULL, ch->pledge_id, ch->amount,
                          ch->currency, "stripe", ch->id,
                          payment_word_valid(ch->method) ? ch->method
                                                         : "card",
                          f);
    signed_doc_release(&res.receipt);
    if (rc == FAULT_NOT_FOUND) { /* a pledge_id that is none of ours */
        memset(f, 0, sizeof *f);
        return 0;
    }
    *pay = res.entry;
    *changed = res.recorded;
    return rc;
}

struct reverse_ctx {
    int64_t refunded; /* charge.refunded: Stripe's amount_refunded */
    int64_t charged;  /* and the charge's amount */
    bool full;        /* the charge is refunded in full */
    int64_t disputed; /* a dispute: its amount */
    const char *reference, *reason;
    struct money_append *append; /* to name a refund, when there is one */
    char refund_id[UUID_STR_LEN];
};

/* Under the campaign's lock: what is still held of the payment comes down
 * to what Stripe says (core/payment.h payment_reverse_to). A charge
 * refunded in full that leaves the pledge holding nothing is a refund of
 * the pledge, as staff would make it: the money given back and the
 * promise reversed in one transaction (payment_refund). */
static int decide_reverse(void *ctx, const struct pledge *p,
                          const struct pledge_money *m,
                          struct money_move *moves, size_t *n, struct fault *f)
{
    (void)p;
    struct reverse_ctx *c = ctx;
    int64_t held = c->disputed ? m->ref_held - c->disputed
                               : c->charged - c->refunded;
    int rc = payment_reverse_to(moves, n, m, held < 0 ? 0 : held, "stripe",
                                c->reference, c->reason, f);
    if (rc == 0 && *n == 1 && c->full && !m->refunded &&
        -moves[0].amount_minor == m->paid) {
        c->append->refund_id = c->refund_id; /* the refunds row names it */
        return payment_refund(moves, n, m, c->reference, f);
    }
    return rc;
}

static int reverse(bool *changed, struct app *a, const struct ledger_entry *pay,
                   struct reverse_ctx *c, struct fault *f)
{
    struct money_append m = {.pledge_id = pay->pledge_id,
                             .decide = decide_reverse,
                             .ctx = c,
                             .held_ref = pay->reference};
    c->append = &m;
    uuid_v4(c->refund_id);
    struct payment_result res;
    int rc = payments_append(&res, a, &m, "stripe", c->reference,
                             ENTRY_PAYMENT_REVERSAL, f);
    *changed = rc == 0 && res.recorded;
    return rc;
}

static int on_charge(struct stripe_webhook_result *out, struct app *a,
                     const struct stripe_event *ev, struct fault *f)
{
    const struct stripe_charge *ch = &ev->charge;
    bool refunded = strcmp(ev->type, "charge.refunded") == 0;
    if (!refunded && strcmp(ev->type, "charge.succeeded") != 0 &&
        strcmp(ev->type, "charge.captured") != 0)
        /* charge.failed and the rest: a declined card leaves the promise
         * open for another card; the sweep voids it in time. */
        return outcome(out, "ignored", "%s changes no money", ev->type);
    struct ledger_entry pay;
    bool paid_now, back_now = false;
    int rc = charge_payment(&pay, &paid_now, a, ch, f);
    if (rc)
        return rc;
    if (pay.seq == 0)
        return outcome(out, "ignored", "charge %s names none of our pledges",
                       ch->id);
    if (refunded) {
        char ref[LEDGER_REF_MAX + 1], what[32];
        snprintf(what, sizeof what, "refunded:%lld",
                 (long long)ch->amount_refunded);
        if ((rc = reversal_ref(ref, pay.reference, what, f)) != 0)
            return rc;
        struct reverse_ctx c = {.refunded = ch->amount_refunded,
                                .charged = ch->amount,
                                .full = ch->refunded ||
                                        ch->amount_refunded >= ch->amount,
                                .reference = ref,
                                .reason = "refund"};
        if ((rc = reverse(&back_now, a, &pay, &c, f)) != 0)
            return rc;
    }
    return outcome(out, paid_now || back_now ? "recorded" : "unchanged",
                   "pledge %s", pay.pledge_id);
}

static int on_dispute(struct stripe_webhook_result *out, struct app *a,
                      const struct stripe_event *ev, struct fault *f)
{
    const struct stripe_dispute *d = &ev->dispute;
    if (strcmp(ev->type, "charge.dispute.created") != 0)
        return outcome(out, "ignored", "%s changes no money", ev->type);
    struct ledger_entry pay;
    bool paid_now = false, back_now;
    struct fault nf = {0};
    int rc = recorded(&pay, a, d->charge, &nf);
    if (rc == FAULT_NOT_FOUND && a->stripe) {
        /* A dispute before the charge's own event: read the charge. */
        struct stripe_charge ch;
        if ((rc = stripe_charge_get(&ch, NULL, a->stripe, d->charge, f)) ||
            (rc = charge_payment(&pay, &paid_now, a, &ch, f)))
            return rc;
    } else if (rc == FAULT_NOT_FOUND) {
        memset(&pay, 0, sizeof pay);
    } else if (rc) {
        *f = nf;
        return rc;
    }
    if (pay.seq == 0)
        return outcome(out, "ignored", "charge %s names none of our pledges",
                       d->charge);
    char ref[LEDGER_REF_MAX + 1];
    if ((rc = reversal_ref(ref, pay.reference, d->id, f)) != 0)
        return rc;
    struct reverse_ctx c = {.disputed = d->amount,
                            .reference = ref,
                            .reason = "dispute"};
    if (d->amount <= 0)
        return outcome(out, "ignored", "dispute %s is for nothing", d->id);
    if ((rc = reverse(&back_now, a, &pay, &c, f)) != 0)
        return rc;
    return outcome(out, paid_now || back_now ? "recorded" : "unchanged",
                   "pledge %s", pay.pledge_id);
}

static int on_session(struct stripe_webhook_result *out, struct app *a,
                      const struct stripe_event *ev, struct fault *f)
{
    const struct stripe_session *cs = &ev->session;
    const char *pledge = cs->client_reference_id;
    if (!uuid_valid(pledge))
        return outcome(out, "ignored", "session %s names none of our pledges",
                       cs->id);
    int rc;
    if (strcmp(ev->type, "checkout.session.expired") == 0) {
        /* The donor left Stripe's page without paying: the promise made
         * for it is withdrawn (money arriving later is still counted). */
        bool voided;
        rc = payments_void(&voided, a, pledge, f);
        if (rc == FAULT_NOT_FOUND) {
            memset(f, 0, sizeof *f);
            return outcome(out, "ignored", "no pledge %s", pledge);
        }
        return rc ? rc
                  : outcome(out, voided ? "recorded" : "unchanged",
                            "pledge %s", pledge);
    }
    if (strcmp(ev->type, "checkout.session.completed") != 0 &&
        strcmp(ev->type, "checkout.session.async_payment_succeeded") != 0)
        return outcome(out, "ignored", "%s changes no money", ev->type);
    if (strcmp(cs->payment_status, "paid") != 0 || cs->amount_total <= 0)
        return outcome(out, "ignored", "session %s is not paid (yet)",
                       cs->id);
    struct payment_result res;
    rc = payments_receive(&res, a, NULL, pledge, cs->amount_total,
                          cs->currency,
                          "stripe",
                          cs->payment_intent[0] ? cs->payment_intent : cs->id,
                          "checkout", f);
    signed_doc_release(&res.receipt);
    if (rc == FAULT_NOT_FOUND) {
        memset(f, 0, sizeof *f);
        return outcome(out, "ignored", "no pledge %s", pledge);
    }
    return rc ? rc
              : outcome(out, res.recorded ? "recorded" : "unchanged",
                        "pledge %s", pledge);
}

static int known(struct app *a, const char *event_id, struct fault *f)
{
    struct store *s = pool_acquire(a->pool, POOL_WAIT_MS, f);
    int rc = s ? store_provider_event_known(s, "stripe", event_id, f)
               : FAULT_UNAVAILABLE;
    pool_release(a->pool, s);
    return rc;
}

static int remember(struct app *a, const struct stripe_event *ev,
                    struct fault *f)
{
    struct store *s = pool_acquire(a->pool, POOL_WAIT_MS, f);
    int rc = s ? store_provider_event(s, "stripe", ev->id, ev->type, f)
               : FAULT_UNAVAILABLE;
    pool_release(a->pool, s);
    return rc < 0 ? rc : 0;
}

int stripe_webhook(struct stripe_webhook_result *out, struct app *a,
                   const char *signature, const char *body, size_t len,
                   int64_t now, struct fault *f)
{
    memset(out, 0, sizeof *out);
    if (a->stripe_webhook_secret == NULL)
        return fault_set(f, FAULT_UNAVAILABLE, NULL,
                         "Stripe webhooks are not configured on this server "
                         "(PLEDGED_STRIPE_WEBHOOK_SECRET)");
    int rc = stripe_sig_verify(NULL, signature, (const unsigned char *)body,
                               len, a->stripe_webhook_secret, now, f);
    if (rc)
        return rc;
    struct stripe_event *ev = calloc(1, sizeof *ev);
    if (ev == NULL)
        return fault_set(f, FAULT_NOMEM, NULL, "out of memory");
    if ((rc = stripe_event_parse(ev, body, len, f)) != 0)
        goto done;
    memcpy(out->event_id, ev->id, sizeof out->event_id);
    memcpy(out->type, ev->type, sizeof out->type);
    if ((rc = known(a, ev->id, f)) < 0)
        goto done;
    if (rc == 1) {
        rc = outcome(out, "duplicate", "%s was handled before", ev->id);
        goto done;
    }
    switch (ev->kind) {
    case STRIPE_EVENT_CHARGE:
        rc = on_charge(out, a, ev, f);
        break;
    case STRIPE_EVENT_DISPUTE:
        rc = on_dispute(out, a, ev, f);
        break;
    case STRIPE_EVENT_SESSION:
        rc = on_session(out, a, ev, f);
        break;
    default:
        rc = outcome(out, "ignored", "%s is not an event we act on",
                     ev->type);
    }
    if (rc == FAULT_CURRENCY || rc == FAULT_INVALID || rc == FAULT_CONFLICT) {
        /* Stripe's event is fine but the ledger cannot take it (money in
         * another currency than the pledge's, say): answering an error
         * would only have Stripe retry it for days. Staff see it in the
         * log and in Stripe's Dashboard. */
        fprintf(stderr, "pledged: stripe event %s (%s) refused: %s%s%s\n",
                ev->id, ev->type, f->message, f->field[0] ? " on " : "",
                f->field);
        outcome(out, "refused", "%s", f->message);
        memset(f, 0, sizeof *f);
        rc = 0;
    }
    if (rc == 0)
        rc = remember(a, ev, f);
done:
    free(ev);
    return rc;
}
