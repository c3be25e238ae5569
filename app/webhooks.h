#ifndef PLEDGED_APP_WEBHOOKS_H
#define PLEDGED_APP_WEBHOOKS_H
/*
 * Webhook endpoints, as staff manage them (docs/WEBHOOKS.md). Every change
 * is written to admin_log in its own transaction, or not made. Delivery
 * itself is app/deliveries.h.
 */
#include "core/fault.h"
#include "core/webhook.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct app;
struct idem;

/* What staff ask for; the id and the secret are made here. */
struct webhook_spec {
    const char *url;
    char types[EVENT_TYPES_MAX][EVENT_TYPE_MAX];
    size_t ntypes;
    bool ed25519, personal;
    int64_t from; /* deliver from this event_seq on; < 1: new events only */
};

/* Makes an endpoint under an Idempotency-Key: *ep the endpoint with its
 * secret (a retry with the same key replays it: *replayed). FAULT_INVALID
 * on "url". */
int webhooks_create(struct webhook_endpoint *ep, bool *replayed,
                    struct app *a, const char *who,
                    const struct webhook_spec *spec, const struct idem *idem,
                    struct fault *f) __attribute__((warn_unused_result));

/* Calls fn with every endpoint (secrets included: the caller shows none). */
int webhooks_list(struct app *a,
                  int (*fn)(void *ctx, const struct webhook_endpoint *e),
                  void *ctx, struct fault *f)
    __attribute__((warn_unused_result));

/* "Replay from event N": delivers again from `from` (>= 1), enabling a
 * disabled endpoint. *ep is the endpoint after. FAULT_NOT_FOUND. */
int webhooks_replay(struct webhook_endpoint *ep, struct app *a,
                    const char *who, const char *id, int64_t from,
                    struct fault *f) __attribute__((warn_unused_result));

int webhooks_delete(struct app *a, const char *who, const char *id,
                    struct fault *f) __attribute__((warn_unused_result));

#endif
