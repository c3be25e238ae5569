#ifndef PLEDGED_PROVIDER_WEBHOOK_HTTP_H
#define PLEDGED_PROVIDER_WEBHOOK_HTTP_H
/*
 * One delivery of an outbound webhook: one POST over libcurl, no retries
 * (the caller schedules them), no redirects (a 3xx is a failure), and a
 * guard against server-side request forgery.
 *
 * The guard looks at the address curl is about to connect to, not at the
 * name in the URL (CURLOPT_OPENSOCKETFUNCTION: every address of every
 * attempt passes through it), so a name that resolves, or later
 * re-resolves, to an inside address (DNS rebinding) is refused like the
 * address itself. Refused, unless the caller's allow-list holds the
 * address: loopback (127/8, ::1), link-local (169.254/16, fe80::/10),
 * private (10/8, 172.16/12, 192.168/16, fc00::/7, fec0::/10), shared
 * (100.64/10, CGNAT), unspecified (0/8, ::), multicast (224/4, ff00::/8),
 * reserved and broadcast (240/4), and IPv6 forms that carry one of those
 * IPv4 addresses (::ffff:a.b.c.d, 64:ff9b::a.b.c.d, 2002:AABB:CCDD::,
 * ::a.b.c.d). Proxies are off (an environment's http_proxy would connect
 * for us, out of the guard's sight).
 */
#include "core/cidr.h"
#include "core/fault.h"
#include "core/webhook_sig.h"

#include <stdbool.h>
#include <stddef.h>

#define WEBHOOK_CONNECT_TIMEOUT_MS 5000 /* when the request says 0 */
#define WEBHOOK_TIMEOUT_MS 10000        /* the whole exchange, likewise */
#define WEBHOOK_URL_MAX 2048
#define WEBHOOK_READ_MAX 4096   /* bytes of an answer read; the rest is not */
#define WEBHOOK_EXCERPT_MAX 200 /* bytes of it kept, for "last error" */
#define WEBHOOK_ERROR_MAX 240
#define WEBHOOK_ADDR_MAX 46 /* INET6_ADDRSTRLEN */

struct webhook_request {
    const char *url; /* http:// or https:// */
    const char *body; /* application/json, sent byte for byte */
    size_t len;
    const struct webhook_headers *headers; /* webhook-id, -timestamp,
                                              -signature (core/webhook_sig) */
    long connect_timeout_ms; /* 0: WEBHOOK_CONNECT_TIMEOUT_MS */
    long timeout_ms;         /* 0: WEBHOOK_TIMEOUT_MS */
    const struct cidr_list *allow; /* addresses let through the guard, or
                                      NULL (PLEDGED_WEBHOOK_ALLOW) */
};

struct webhook_answer {
    long status;    /* the HTTP status, 0 when none came back */
    bool delivered; /* a 2xx came back: the only success */
    bool timed_out; /* the connect or the whole exchange took too long */
    bool refused;   /* the guard refused every address: nothing was sent */
    long elapsed_ms;
    char address[WEBHOOK_ADDR_MAX]; /* the address connected to, or "" */
    /* The answer's first bytes (up to WEBHOOK_EXCERPT_MAX), made fit for a
     * text column: control characters as blanks, cut at a character
     * boundary, '?' for bytes of invalid UTF-8. */
    char excerpt[WEBHOOK_EXCERPT_MAX + 1];
    /* "" when delivered; otherwise what went wrong, for the dashboard
     * ("HTTP 500", "timed out after 10000 ms", ...). Never holds the URL,
     * a header or a secret. */
    char error[WEBHOOK_ERROR_MAX];
};

/* POSTs req->body to req->url with the three webhook-* headers,
 * Content-Type: application/json and User-Agent: pledged-webhooks/1.
 * *out is filled in every case. Returns 0 when delivered (2xx), or:
 *  FAULT_INVALID on field "url": not an http(s) URL of at most
 *      WEBHOOK_URL_MAX characters, or the guard refused the address
 *      ("refused address 127.0.0.1 (loopback); allow it with
 *      PLEDGED_WEBHOOK_ALLOW"; out->refused);
 *  FAULT_INVALID on field "webhook-id" (etc.): a header value that a
 *      header cannot carry;
 *  FAULT_PROVIDER: no 2xx (out->error says why: a status, a timeout, a
 *      connection that failed);
 *  FAULT_NOMEM.
 * Thread safe: each call has its own curl handle. */
int webhook_post(struct webhook_answer *out, const struct webhook_request *req,
                 struct fault *f) __attribute__((warn_unused_result));

/* The guard's verdict on one address (4 or 16 network-order bytes): NULL
 * when a delivery may connect to it (allow holds it, or it is none of the
 * ranges above), else the reason ("loopback", "private", ...). */
const char *webhook_address_refused(const unsigned char *addr, size_t len,
                                    const struct cidr_list *allow);

#endif
