#ifndef PLEDGED_STRIPE_EVENT_H
#define PLEDGED_STRIPE_EVENT_H
/*
 * Stripe's objects as we read them: webhook events (stripe_event_parse)
 * and the charge and refund objects that both events and API answers carry
 * (stripe_event_charge, stripe_event_refund; provider/stripe.c reads its
 * answers with them too). Pure: jansson's value code, no I/O.
 *
 * Strict about types: a field we read that is present with the wrong JSON
 * type, an amount that is negative or past MONEY_MAX_EXACT, a currency that
 * is not three letters, an id that is not 1..STRIPE_ID_MAX-1 characters of
 * [A-Za-z0-9_], or a string that does not fit its buffer is FAULT_INVALID
 * naming the field by its JSON path ("data.object.amount"). Absent or null
 * optional strings read as "". Garbage of any kind is a fault, never a
 * crash. Currencies are returned in upper case ("USD"), as the ledger
 * writes them; Stripe writes them in lower case. Amounts are Stripe's
 * integer minor units (int64_t), never doubles.
 *
 * Stripe's metadata and references are the donor-facing links to our
 * ledger: a charge we create carries metadata.pledge_id, and a Payment Link
 * carries our pledge id as the Checkout Session's client_reference_id.
 * Both are returned as Stripe holds them (any text without NUL, at most
 * 500 bytes): the caller checks that they name a pledge.
 */
#include "core/fault.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STRIPE_ID_MAX 256    /* Stripe ids ("ch_...", "evt_...") + NUL */
#define STRIPE_REF_MAX 501   /* metadata values: at most 500 characters */
#define STRIPE_WORD_MAX 64   /* statuses, codes, types of method */
#define STRIPE_TYPE_MAX 80   /* event types ("charge.dispute.created") */

/* A charge ("object": "charge"). */
struct stripe_charge {
    char id[STRIPE_ID_MAX];
    char status[STRIPE_WORD_MAX];  /* "succeeded", "pending", "failed" */
    int64_t amount;                /* asked for, minor units */
    int64_t amount_refunded;       /* refunded so far */
    char currency[4];              /* "USD" */
    bool paid;                     /* the charge succeeded (or pends) */
    bool captured;                 /* false: authorised, not captured yet */
    bool refunded;                 /* fully refunded */
    char method[STRIPE_WORD_MAX];  /* payment_method_details.type: "card" */
    char failure_code[STRIPE_WORD_MAX]; /* "card_declined", or "" */
    char customer[STRIPE_ID_MAX];       /* "cus_...", or "" */
    char payment_intent[STRIPE_ID_MAX]; /* "pi_...", or "" */
    char pledge_id[STRIPE_REF_MAX];     /* metadata.pledge_id, or "" */
};

/* A refund ("object": "refund"). */
struct stripe_refund {
    char id[STRIPE_ID_MAX];
    char status[STRIPE_WORD_MAX]; /* "succeeded", "pending", "failed"... */
    int64_t amount;
    char currency[4];
    char charge[STRIPE_ID_MAX];   /* the charge refunded, or "" */
};

/* A Checkout Session ("object": "checkout.session"), e.g. of a Payment
 * Link. */
struct stripe_session {
    char id[STRIPE_ID_MAX];
    char client_reference_id[STRIPE_REF_MAX]; /* our pledge id, or "" */
    int64_t amount_total;                   /* -1 when null (no payment) */
    char currency[4];                       /* "" when null */
    char payment_status[STRIPE_WORD_MAX];   /* "paid", "unpaid",
                                               "no_payment_required" */
    char status[STRIPE_WORD_MAX];           /* "complete", "expired", ... */
    char payment_intent[STRIPE_ID_MAX];     /* "pi_...", or "" */
};

/* A dispute ("object": "dispute"), a chargeback. */
struct stripe_dispute {
    char id[STRIPE_ID_MAX];
    char charge[STRIPE_ID_MAX];   /* the disputed charge */
    int64_t amount;               /* the amount disputed */
    char currency[4];
    char reason[STRIPE_WORD_MAX]; /* "fraudulent", ..., or "" */
    char status[STRIPE_WORD_MAX]; /* "needs_response", ..., or "" */
};

enum stripe_event_kind {
    STRIPE_EVENT_OTHER = 0, /* any other type: only the envelope is read */
    STRIPE_EVENT_CHARGE,    /* charge.* (but charge.dispute.*, charge.refund.*) */
    STRIPE_EVENT_SESSION,   /* checkout.session.* */
    STRIPE_EVENT_DISPUTE,   /* charge.dispute.* */
};

struct stripe_event {
    char id[STRIPE_ID_MAX];     /* "evt_...": the key to dedupe deliveries */
    char type[STRIPE_TYPE_MAX]; /* "charge.succeeded" */
    int64_t created;            /* Unix seconds; orders events of a charge */
    bool livemode;              /* false for test-mode events */
    enum stripe_event_kind kind;
    /* Only the member that kind names is filled; the others are zero. */
    struct stripe_charge charge;
    struct stripe_session session;
    struct stripe_dispute dispute;
};

/* Parses a webhook body json[0..len) into *out (zeroed first). The
 * envelope must have "object": "event", an id, a type (1..79 characters
 * of [a-z0-9_.]) and a created time; "livemode" is optional. For the kinds
 * above, data.object must be an object of the matching "object" (charge,
 * checkout.session, dispute) with the fields of its struct: required are
 * a charge's id, amount, amount_refunded, currency, paid and captured; a
 * session's id and payment_status; a dispute's id, charge, amount and
 * currency. For any other type data is not looked at. 0, or FAULT_INVALID
 * (out is then undefined); nothing is allocated that outlives the call. */
int stripe_event_parse(struct stripe_event *out, const char *json, size_t len,
                       struct fault *f) __attribute__((warn_unused_result));

/* Reads a charge object (zeroing *out first); path names it in faults
 * ("data.object"). 0 or FAULT_INVALID. */
int stripe_event_charge(struct stripe_charge *out, const json_t *obj,
                        const char *path, struct fault *f)
    __attribute__((warn_unused_result));

/* Reads a refund object: id, amount and currency required; status and
 * charge optional. 0 or FAULT_INVALID. */
int stripe_event_refund(struct stripe_refund *out, const json_t *obj,
                        const char *path, struct fault *f)
    __attribute__((warn_unused_result));

#endif
