#ifndef PLEDGED_WEBHOOK_H
#define PLEDGED_WEBHOOK_H
/*
 * Webhook endpoints and their deliveries (docs/WEBHOOKS.md): what staff
 * configure, the state of each endpoint's delivery, and the rules of
 * delivering: the body of one event, when to try again, when to give up.
 * Pure; the signatures are core/webhook_sig.h's, the POST is
 * provider/webhook_http.h's.
 */
#include "core/event.h"
#include "core/fault.h"
#include "core/uuid.h"
#include "core/webhook_sig.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WEBHOOK_URL_LEN 2048
#define WEBHOOK_STAMP 40 /* an RFC 3339 time, or "" */
#define WEBHOOK_NOTE 241 /* last_error, disabled_reason */

struct webhook_endpoint {
    char id[UUID_STR_LEN];
    char url[WEBHOOK_URL_LEN + 1];
    char types[EVENT_TYPES_MAX][EVENT_TYPE_MAX];
    size_t ntypes; /* 0: every type */
    char secret[WEBHOOK_SECRET_MAX];
    bool ed25519;  /* v1a signatures too */
    bool personal; /* donors' emails in data */
    int64_t cursor; /* the last event_seq delivered or passed over */
    int64_t head;   /* the log's head when claimed: a skip goes no further
                       (store_webhook_claim) */
    int attempts;   /* failed tries of the next event */
    char next_attempt_at[WEBHOOK_STAMP];
    char failing_since[WEBHOOK_STAMP];
    char last_error[WEBHOOK_NOTE];
    char disabled_at[WEBHOOK_STAMP];
    char disabled_reason[WEBHOOK_NOTE];
    char created_at[WEBHOOK_STAMP];
};

/* A URL staff may configure: http:// or https://, a host, at most
 * WEBHOOK_URL_LEN printable ASCII characters, no user:password@ (it would
 * travel to every proxy and log). Where it may connect to is checked at
 * delivery (provider/webhook_http.h). 0 or FAULT_INVALID on "url". */
int webhook_url_check(const char *url, struct fault *f)
    __attribute__((warn_unused_result));

/* The wait before try number attempts + 1 after attempts failures (1..):
 * base_ms doubled each time, at most an hour, plus up to a quarter at
 * random (the caller's 0..1 jitter), so that receivers coming back are
 * not hit by every sender at once. */
int64_t webhook_backoff_ms(int attempts, int64_t base_ms, double jitter);

/* The body of one delivery, as Standard Webhooks suggests:
 * {"type", "timestamp" (the event's created_at), "data", "event_seq",
 * "id"}, with the donor's personal data merged into data when the
 * endpoint receives it. NULL when out of memory or the event's JSON is
 * unreadable (a bug). */
char *webhook_body(const struct event_row *e, bool personal);

#endif
