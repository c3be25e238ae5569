#ifndef PLEDGED_PROVIDER_STRIPE_H
#define PLEDGED_PROVIDER_STRIPE_H
/*
 * A small client of Stripe's REST API (the Charges API of card tokens):
 * save a card token as a customer, charge (capture now or later), capture,
 * refund, read a charge. provider/ is the only floor that includes
 * <curl/curl.h>; app/ calls it, api/ and cli/ never do.
 *
 * Every call:
 * - POSTs a form-encoded body to the base URL (PLEDGED_STRIPE_API, default
 *   https://api.stripe.com) with the secret key as a Bearer token;
 * - carries the caller's Idempotency-Key (POSTs), derived from our own ids
 *   with stripe_idem_key(), so that Stripe runs a request once however
 *   often it is sent, by our retries or by a caller's retry after a crash
 *   (Stripe keeps keys for at least 24 hours);
 * - has a connect timeout and a total timeout per try;
 * - is tried again, with the same key and the same body, after a transport
 *   error (connection refused, reset, timeout), a 409 (a request with the
 *   same key still running), a 429 or a 5xx, up to `tries` times in all,
 *   waiting backoff_ms, then twice that, and so on (plus up to half of it
 *   at random, so that instances do not retry in step).
 *
 * Outcomes, as faults (core/fault.h):
 * - FAULT_DECLINED: Stripe refused the card (HTTP 402, type card_error).
 *   Nothing was charged. The message is a generic "the card was declined"
 *   (never Stripe's text, never the decline reason: Stripe asks that
 *   "fraudulent" and the like not be shown to the card holder); the codes
 *   are in the call's struct stripe_call (and a charge's failure_code).
 * - FAULT_PROVIDER: no answer after all tries, or a 5xx / 429 / 409 still,
 *   or a 401 / 403 (a wrong or revoked key: the hint says which variable),
 *   or an answer we cannot read. For a charge this outcome is UNKNOWN:
 *   Stripe may have charged. Calling again later with the SAME key returns
 *   Stripe's first result (the charge, or its error) and never charges
 *   twice; a new key could.
 * - FAULT_CONFLICT: the request contradicts the object's state: a charge
 *   already captured, already fully refunded, or disputed.
 * - FAULT_NOT_FOUND: Stripe has no such object (field "charge" or
 *   "customer": the object of the call).
 * - FAULT_INVALID: an argument we refuse before sending (field named), or
 *   one Stripe refuses (an amount too small, too large, or more than is
 *   left to refund: field "amount_minor"; others: Stripe's param name).
 * - FAULT_INTERNAL: an Idempotency-Key reused with another body (a bug in
 *   the caller's key derivation), or another 4xx we do not expect.
 * - FAULT_NOMEM.
 * No fault, and nothing this module writes anywhere, holds the secret key,
 * the Authorization header or Stripe's error text; card data never passes
 * through us (tokens only). This module logs nothing.
 *
 * Thread safety: a struct stripe is read-only after stripe_new(), so one
 * client may serve every thread at once; each call uses its own CURL easy
 * handle. curl_global_init runs once (pthread_once) in stripe_new.
 */
#include "core/fault.h"
#include "core/stripe_event.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STRIPE_API_DEFAULT "https://api.stripe.com"
#define STRIPE_IDEM_MAX 256 /* an Idempotency-Key, at most 255 characters */

struct stripe;

struct stripe_options {
    const char *api;         /* base URL, NULL: STRIPE_API_DEFAULT. https,
                                or http to a loopback host only (tests) */
    const char *secret_key;  /* "sk_..." or "rk_...", required */
    long connect_timeout_ms; /* per try; 0: 5000 */
    long timeout_ms;         /* per try, the whole exchange; 0: 15000 */
    unsigned tries;          /* in all; 0: 4 */
    long backoff_ms;         /* the first wait; 0: 500 */
};

/* What happened on the wire, for logs and tests. */
struct stripe_call {
    unsigned tries;           /* requests sent (1: no retry) */
    long status;              /* last HTTP status; 0: a transport error */
    bool replayed;            /* Stripe answered Idempotent-Replayed: true */
    char request_id[64];      /* Stripe's Request-Id of the last answer */
    char error_type[STRIPE_WORD_MAX];   /* "card_error", "api_error", ... */
    char error_code[STRIPE_WORD_MAX];   /* "card_declined", ... */
    char decline_code[STRIPE_WORD_MAX]; /* "insufficient_funds", ... */
};

/* A new client. The key is copied into sodium_malloc memory (wiped by
 * stripe_free); opts need not outlive the call. NULL with FAULT_INVALID
 * (no key, a key or URL we refuse: plain http to a non-loopback host, a
 * URL with a path or longer than 200 characters) or FAULT_NOMEM. */
struct stripe *stripe_new(const struct stripe_options *opts, struct fault *f);

/* A client from PLEDGED_STRIPE_API and PLEDGED_STRIPE_SECRET_KEY, default
 * timeouts. NULL with FAULT_NOT_FOUND when the key is unset or empty (no
 * Stripe configured; not an error for the caller), else as stripe_new. */
struct stripe *stripe_from_env(struct fault *f);

/* Wipes the key and frees s. Accepts NULL. */
void stripe_free(struct stripe *s);

/* Writes the Idempotency-Key of one operation on one of our objects:
 * "pledged-" + op + "-" + id (e.g. op "charge" and a pledge id), or
 * FAULT_INVALID when it would not fit or holds other characters than
 * [A-Za-z0-9_.:-]. The same (op, id) always gives the same key. */
int stripe_idem_key(char out[STRIPE_IDEM_MAX], const char *op, const char *id,
                    struct fault *f) __attribute__((warn_unused_result));

/* POST /v1/customers source=<card_token>: saves a card token ("tok_...",
 * from Stripe.js or Elements) as a new customer, whose id goes to
 * customer_id. A card refused on saving is FAULT_DECLINED. call may be
 * NULL. */
int stripe_customer_create(char customer_id[STRIPE_ID_MAX],
                           struct stripe_call *call, struct stripe *s,
                           const char *card_token, const char *idem_key,
                           struct fault *f)
    __attribute__((warn_unused_result));

struct stripe_charge_request {
    int64_t amount;           /* minor units, > 0 */
    const char *currency;     /* "USD" (sent in lower case) */
    const char *customer;     /* "cus_...": charge its default card; or */
    const char *source;       /* "tok_...": charge a token directly */
    bool capture;             /* false: authorise only, capture later */
    const char *pledge_id;    /* sent as metadata[pledge_id]; required */
    const char *description;  /* optional, shown in Stripe's dashboard */
};

/* POST /v1/charges. On success *out is the charge (status "succeeded",
 * paid; captured as asked). On FAULT_DECLINED *out holds what Stripe said:
 * the failed charge's id if it made one, status "failed", failure_code;
 * otherwise *out is zeroed. Exactly one of customer and source. */
int stripe_charge_create(struct stripe_charge *out, struct stripe_call *call,
                         struct stripe *s,
                         const struct stripe_charge_request *req,
                         const char *idem_key, struct fault *f)
    __attribute__((warn_unused_result));

/* POST /v1/charges/{id}/capture: captures an authorised charge in full.
 * FAULT_CONFLICT when it is already captured. */
int stripe_charge_capture(struct stripe_charge *out, struct stripe_call *call,
                          struct stripe *s, const char *charge_id,
                          const char *idem_key, struct fault *f)
    __attribute__((warn_unused_result));

/* GET /v1/charges/{id} (no key: reading is safe to repeat). */
int stripe_charge_get(struct stripe_charge *out, struct stripe_call *call,
                      struct stripe *s, const char *charge_id,
                      struct fault *f) __attribute__((warn_unused_result));

/* POST /v1/refunds charge=<id>&amount=<amount>: refunds amount (> 0) of a
 * captured charge, or 0 for all that is left. FAULT_CONFLICT when nothing
 * is left to refund, FAULT_INVALID (amount_minor) when amount is more than
 * is left, FAULT_NOT_FOUND for an unknown charge. */
int stripe_refund_create(struct stripe_refund *out, struct stripe_call *call,
                         struct stripe *s, const char *charge_id,
                         int64_t amount, const char *idem_key,
                         struct fault *f) __attribute__((warn_unused_result));

#endif
