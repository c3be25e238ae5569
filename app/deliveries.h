#ifndef PLEDGED_APP_DELIVERIES_H
#define PLEDGED_APP_DELIVERIES_H
/*
 * Webhook deliveries (docs/WEBHOOKS.md): worker threads that send each
 * endpoint its events, in order, at least once, signed per Standard
 * Webhooks. A worker claims one due endpoint at a time (its row locked:
 * one instance delivers an endpoint at a time), sends its next event, and
 * moves its cursor only on a 2xx; a failure waits a doubling backoff, and
 * an endpoint failing for give_up_s is disabled for staff to see and
 * replay. The workers run at a lower CPU priority than the pledge path
 * and never share its connections: a dead or slow endpoint costs pledges
 * nothing.
 */
#include "core/cidr.h"

#include <stdbool.h>
#include <stdint.h>

struct deliveries;
struct events_bell;
struct signer;

struct delivery_options {
    unsigned workers;          /* threads; 0: no deliveries here */
    const struct cidr_list *allow; /* let through the SSRF guard */
    long connect_timeout_ms;   /* per try; 0: 5000 */
    long timeout_ms;           /* per try, the whole exchange; 0: 10000 */
    int64_t backoff_ms;        /* the first retry's wait */
    int64_t give_up_s;         /* failing this long: disabled */
};

/* Starts the workers, each with a connection of its own to conninfo,
 * woken by bell, signing v1a with signer (may be NULL: no v1a). NULL when
 * o->workers is 0 or no thread starts. conninfo, bell and signer must
 * outlive them. */
struct deliveries *deliveries_start(const char *conninfo,
                                    struct events_bell *bell,
                                    const struct signer *signer,
                                    const struct delivery_options *o);

/* Stops them (a delivery in flight finishes or times out). NULL ok. */
void deliveries_stop(struct deliveries *d);

#endif
