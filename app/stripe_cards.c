/* A card charged for a pledge, and money given back through Stripe. */
#include "app/stripe_pay.h"

#include "app/app.h"
#include "core/campaign.h"
#include "core/uuid.h"
#include "provider/stripe.h"
#include "store/pool.h"
#include "store/store.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool stripe_cards_enabled(const struct app *a) { return a->stripe != NULL; }

/* A token as Stripe.js makes them: "tok_" and up to 100 of [A-Za-z0-9_]
 * ('|' too: the emulator's tokens that fail first, "tok_429|tok_visa",
 * which Stripe itself would refuse as unknown). */
static bool token_valid(const char *t)
{
    size_t n = t ? strlen(t) : 0;
    if (n < 5 || n > 104 || strncmp(t, "tok_", 4) != 0)
        return false;
    return strspn(t + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                         "0123456789_|") == n - 4;
}

/* The pledge's own money state, read again under the charge lock. */
static int pledge_state(struct pledge *p, struct pledge_money *m,
                        struct store *s, const char *campaign_id,
                        const char *pledge_id, struct fault *f)
{
    int rc = store_pledge_get(p, s, pledge_id, f);
    if (rc == 0 && strcmp(p->campaign_id, campaign_id) != 0)
        rc = fault_set(f, FAULT_NOT_FOUND, NULL, "no such pledge");
    return rc ? rc : store_pledge_money(m, s, p, f);
}

/* Whether the pledge may be charged: 0 (charge it), 1 (paid by Stripe
 * already: *res is that payment) or a fault. */
static int chargeable(struct payment_result *res, struct store *s,
                      const struct pledge *p, const struct pledge_money *m,
                      struct fault *f)
{
    if (p->amount_minor <= 0)
        return fault_set(f, FAULT_CONFLICT, NULL,
                         "a pledge of 0 has nothing to pay");
    if (m->refunded || (m->voided && m->paid <= 0))
        return fault_set(f, FAULT_CONFLICT, NULL, "the pledge was %s",
                         m->refunded ? "refunded" : "voided");
    if (m->paid <= 0 && m->payments == 0)
        return 0;
    if (strcmp(m->provider, "stripe") != 0)
        return fault_set(f, FAULT_CONFLICT, NULL,
                         "the pledge was paid already (%s)", m->method);
    int rc = store_entry_by_reference(&res->entry, s, "stripe", m->reference,
                                      ENTRY_PAYMENT, f);
    return rc == 0 ? 1 : rc;
}

/* payment.failed: a declined card changes no table, so its event is
 * written on its own (a lost one is a missing note, not lost money). */
static void failed_event(struct app *a, const struct pledge *p,
                         const char *charge_id, const char *code,
                         const char *decline)
{
    json_t *d = json_pack(
        "{s:s, s:s, s:I, s:s, s:s, s:s?, s:s?, s:s?}", "pledge_id", p->id,
        "campaign_id", p->campaign_id, "amount_minor",
        (json_int_t)p->amount_minor, "currency", p->currency, "provider",
        "stripe", "reference", charge_id[0] ? charge_id : NULL,
        "failure_code", code[0] ? code : NULL, "decline_code",
        decline[0] ? decline : NULL);
    char *text = d ? json_dumps(d, JSON_COMPACT) : NULL;
    json_decref(d);
    struct fault f = {0};
    struct store *s = text ? pool_acquire(a->pool, POOL_WAIT_MS, &f) : NULL;
    if (s && store_event_add(s, "payment.failed", p->campaign_id, text,
                             &f) != 0)
        fprintf(stderr, "pledged: payment.failed event for %s: %s\n", p->id,
                f.message);
    pool_release(a->pool, s);
    free(text);
}

/* The charge itself, under the pledge's lock: Stripe's answer, or a
 * fault. */
static int charge(struct stripe_charge *ch, struct app *a,
                  const struct pledge *p, const char *token, struct fault *f)
{
    /* The key names the pledge and the card: the same token again is the
     * same charge; another card, another. */
    unsigned char h[16];
    char hex[2 * sizeof h + 1], idem_id[UUID_STR_LEN + sizeof hex],
        key[STRIPE_IDEM_MAX];
    crypto_generichash(h, sizeof h, (const unsigned char *)token,
                       strlen(token), NULL, 0);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(idem_id, sizeof idem_id, "%s.%s", p->id, hex);
    int rc = stripe_idem_key(key, "charge", idem_id, f);
    if (rc)
        return rc;
    char description[96];
    snprintf(description, sizeof description, "Pledge to %s",
             p->campaign_id);
    struct stripe_charge_request req = {
        .amount = p->amount_minor,
        .currency = p->currency,
        .source = token,
        .capture = true,
        .pledge_id = p->id,
        .description = description,
    };
    struct stripe_call call = {0};
    rc = stripe_charge_create(ch, &call, a->stripe, &req, key, f);
    if (rc == FAULT_DECLINED) {
        /* Stripe's codes stay on our side (never the donor's screen): the
         * log, and the payment.failed event for staff and their CRM. */
        fprintf(stderr,
                "pledged: card declined for pledge %s: %s %s (request %s)\n",
                p->id, call.error_code, call.decline_code, call.request_id);
        failed_event(a, p, ch->id, call.error_code, call.decline_code);
        if (f)
            snprintf(f->field, sizeof f->field, "token");
    } else if (rc == FAULT_PROVIDER) {
        fprintf(stderr,
                "pledged: Stripe did not answer a charge for pledge %s after "
                "%u tries (last status %ld): outcome unknown\n",
                p->id, call.tries, call.status);
    }
    return rc;
}

/* Reads what decides a charge: 0 (charge it), 1 (paid by Stripe already:
 * res->entry is that payment) or a fault. */
static int prepare(struct payment_result *res, struct pledge *p,
                   struct app *a, const char *campaign_id,
                   const char *pledge_id, struct fault *f)
{
    struct campaign *c = malloc(sizeof *c);
    struct totals t;
    struct pledge_money m;
    struct store *s = c ? pool_acquire(a->pool, POOL_WAIT_MS, f) : NULL;
    int rc = c == NULL   ? fault_set(f, FAULT_NOMEM, NULL, "out of memory")
             : s == NULL ? FAULT_UNAVAILABLE
                         : store_campaign_get(c, &t, s, campaign_id, f);
    if (rc == 0 && (strcmp(c->provider, "stripe") != 0 || a->stripe == NULL))
        rc = fault_set(f, FAULT_CONFLICT, NULL,
                       "this campaign takes no card payments");
    if (rc == 0)
        rc = pledge_state(p, &m, s, campaign_id, pledge_id, f);
    if (rc == 0)
        rc = chargeable(res, s, p, &m, f);
    pool_release(a->pool, s);
    free(c);
    return rc;
}

int stripe_card_pay(struct payment_result *res, struct app *a,
                    const char *campaign_id, const char *pledge_id,
                    const char *token, struct fault *f)
{
    memset(res, 0, sizeof *res);
    if (!token_valid(token))
        return fault_set(f, FAULT_INVALID, "token",
                         "token is a Stripe card token (tok_...)");
    if (!uuid_valid(pledge_id))
        return fault_set(f, FAULT_NOT_FOUND, NULL, "no such pledge");
    /* One charge of a pledge at a time, across instances (two tabs paying
     * with two cards must not both be charged): a session lock on a
     * connection of its own, so that no pool connection waits on Stripe. */
    struct store *lock = store_new(a->direct_conninfo);
    struct pledge *p = malloc(sizeof *p);
    int rc = lock == NULL || p == NULL
                 ? fault_set(f, FAULT_NOMEM, NULL, "out of memory")
                 : store_pledge_try_lock(lock, pledge_id, f);
    if (rc == 0)
        rc = fault_set(f, FAULT_CONFLICT, NULL,
                       "a payment of this pledge is in progress: try again "
                       "in a moment");
    else if (rc == 1)
        rc = prepare(res, p, a, campaign_id, pledge_id, f);
    if (rc == 1) {
        /* paid by Stripe already: that payment and its receipt again */
        struct ledger_entry e = res->entry;
        rc = payments_receive(res, a, NULL, p->id, e.amount_minor,
                              e.currency, "stripe", e.reference, e.method, f);
    } else if (rc == 0) {
        struct stripe_charge ch;
        rc = charge(&ch, a, p, token, f);
        if (rc == 0)
            rc = payments_receive(res, a, NULL, p->id, ch.amount, ch.currency,
                                  "stripe", ch.id,
                                  payment_word_valid(ch.method) ? ch.method
                                                                : "card",
                                  f);
    }
    if (lock)
        store_pledge_unlock(lock, pledge_id);
    store_free(lock);
    free(p);
    return rc;
}

int stripe_refund_held(char ref[LEDGER_REF_MAX + 1], struct app *a,
                       const char *pledge_id, struct fault *f)
{
    ref[0] = '\0';
    struct pledge_money m;
    struct fault local = {0};
    int rc = payments_state(&m, a, pledge_id, &local);
    if (rc == FAULT_NOT_FOUND) /* not a pledge: the refund itself says */
        return 0;
    if (rc)
        return fault_set(f, rc, local.field, "%s", local.message);
    if (m.paid <= 0 || strcmp(m.provider, "stripe") != 0)
        return 0;
    if (a->stripe == NULL)
        return fault_set(f, FAULT_CONFLICT, NULL,
                         "the pledge was paid through Stripe and this server "
                         "has no Stripe key to give it back");
    if (strncmp(m.reference, "ch_", 3) != 0)
        return fault_set(f, FAULT_CONFLICT, NULL,
                         "paid through a Stripe Checkout: refund it in "
                         "Stripe's Dashboard (the webhook records it)");
    char key[STRIPE_IDEM_MAX];
    if ((rc = stripe_idem_key(key, "refund", pledge_id, f)) != 0)
        return rc;
    struct stripe_refund re;
    rc = stripe_refund_create(&re, NULL, a->stripe, m.reference, 0, key,
                              &local);
    /* Nothing left to refund: given back already (in Stripe's Dashboard,
     * say); the charge says how much, and the ledger follows it. */
    if (rc != 0 && rc != FAULT_CONFLICT)
        return fault_set(f, rc, local.field, "%s", local.message);
    struct stripe_charge ch;
    if ((rc = stripe_charge_get(&ch, NULL, a->stripe, m.reference, f)) != 0)
        return rc;
    int n = snprintf(ref, LEDGER_REF_MAX + 1, "%s@refunded:%lld", ch.id,
                     (long long)ch.amount_refunded);
    return n > 0 && n <= LEDGER_REF_MAX
               ? 0
               : fault_set(f, FAULT_INVALID, "reference",
                           "charge id too long for the ledger");
}
