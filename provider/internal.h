#ifndef PLEDGED_PROVIDER_INTERNAL_H
#define PLEDGED_PROVIDER_INTERNAL_H
/*
 * The provider floor's private helpers (transport.c), shared by its files
 * and by nothing else: checking what we send, form bodies, and the one
 * exchange loop with its retries and its mapping of Stripe's refusals to
 * faults (as provider/stripe.h describes them).
 */
#include "core/buf.h"
#include "core/fault.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define URL_MAX 200

struct stripe_call; /* provider/stripe.h */

struct stripe {
    char api[URL_MAX + 1];  /* base URL, no trailing slash */
    char *secret_key;       /* sodium_malloc, NUL-terminated */
    long connect_timeout_ms, timeout_ms, backoff_ms;
    unsigned tries;
};

/* An Idempotency-Key we send: 1..255 characters of [A-Za-z0-9_.:-]. */
bool stripe_key_ok(const char *k);

/* An id that goes into a URL path: 1..STRIPE_ID_MAX-1 characters of
 * [A-Za-z0-9_]. 0 or FAULT_INVALID on field. */
int stripe_check_id(const char *id, const char *field, struct fault *f);

/* A value that only goes into a form body (escaped there): 1..max
 * characters of printable ASCII. 0 or FAULT_INVALID on field. */
int stripe_check_text(const char *v, size_t max, const char *field,
                      struct fault *f);

/* Appends name=value (value percent-encoded) to an
 * application/x-www-form-urlencoded body. */
void stripe_form_add(struct buf *b, const char *name, const char *value);

/* Sends method (GET or POST, with form as the body) to the client's base
 * URL + path, with idem_key (NULL for a GET), retrying as stripe.h says;
 * *call says what happened. On a 2xx, 0 and *out is the answer, a JSON
 * object (the caller decrefs). Otherwise a fault: on a refusal (a 4xx not
 * retried) *out is Stripe's error body, or NULL if it was not JSON (the
 * caller decrefs). what names the object of the call in faults
 * ("charge"). */
int stripe_call_api(json_t **out, struct stripe_call *call, struct stripe *s,
                    const char *method, const char *path,
                    const struct buf *form, const char *idem_key,
                    const char *what, struct fault *f)
    __attribute__((warn_unused_result));

#endif
