#ifndef PLEDGED_HTTP_H
#define PLEDGED_HTTP_H
/*
 * What the HTTP layer hands to a handler and gets back. Handlers fill a
 * struct reply; they never touch libmicrohttpd themselves, and never see
 * SQL: they call app/ (the use cases) and core/ with plain C structs.
 *
 * A reply's body is owned by the reply (reply_release frees it). A handler
 * that sets no status leaves 500, which only a bug can produce.
 */
#include "core/buf.h"
#include "core/fault.h"

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

struct app;
struct ratelimit;
struct route;
struct cidr_list;

/* Routes in the table (api/routes.c), for per-route counters. */
#define ROUTES_MAX 96

#define REQUEST_PARAMS_MAX 2
#define REQUEST_PARAM_LEN 128
#define REPLY_HEADERS_MAX 8

/* What the HTTP layer shares between requests: the use cases' state and
 * its own limits. */
struct api {
    struct app *app;              /* app/app.h */
    struct ratelimit *post_limit; /* per client address; NULL: off */
    struct ratelimit *auth_limit; /* failed admin logins per address */
    const struct cidr_list *trusted_proxies; /* may name the client */
    const char *proxy_header; /* "X-Forwarded-For" or "Forwarded" */
    const char *metrics_token; /* /metrics needs it; NULL or "": off */
    /* The widget's card form (docs/PAYMENTS.md): Stripe's publishable key
     * ("pk_..."; NULL: no card form) and where Stripe.js is loaded from. */
    const char *stripe_publishable_key;
    const char *stripe_js;
    _Atomic unsigned exports_running;
    unsigned exports_max;
};

struct request {
    const char *method;
    const char *path;
    char params[REQUEST_PARAMS_MAX][REQUEST_PARAM_LEN]; /* {} of the route */
    size_t nparams;
    const char *body;  /* NUL-terminated copy of the body, NUL-free or not */
    size_t body_len;
    struct api *api;
    /* Header lookup (case-insensitive); NULL when absent. */
    const char *(*header)(const struct request *r, const char *name);
    /* Query argument lookup; NULL when absent. */
    const char *(*query)(const struct request *r, const char *name);
    void *conn; /* the transport's, for header() */
    const struct route *route;
    /* For a handler that answers later: returns the reply to fill and a
     * token; the handler returns at once, and whoever finishes fills the
     * reply and calls reply_resume(token), from any thread. The server's
     * worker thread is free in between. */
    struct reply *(*suspend)(struct request *r, void **token);
    void *exchange; /* the transport's, for suspend() */
    unsigned char client_addr[16]; /* IPv4 (4 bytes) or IPv6 */
    size_t client_addr_len;
};

/* A body produced while it is sent: fills buf with up to max bytes and
 * returns how many, 0 at the end, or -1 on an error (the connection is then
 * cut, since the status has gone already). free runs exactly once, when
 * the response is done or the client went away. */
typedef long stream_fn(void *ctx, char *buf, size_t max);
typedef void stream_free_fn(void *ctx);

struct reply {
    unsigned status;
    const char *content_type;
    struct buf body;
    stream_fn *stream; /* if set, the body is streamed instead */
    stream_free_fn *stream_free;
    void *stream_ctx;
    size_t nheaders;
    const char *header_names[REPLY_HEADERS_MAX];
    char header_values[REPLY_HEADERS_MAX][512];
};

void reply_init(struct reply *r);
void reply_release(struct reply *r);

/* Sends a reply filled after request.suspend(). */
void reply_resume(void *token);

/* Adds a response header (value copied, cut at 511 bytes). */
void reply_header(struct reply *r, const char *name, const char *value);

/* Sets status and a compact JSON body from v, which this takes (decrefs). */
void reply_json_take(struct reply *r, unsigned status, json_t *v);

/* A JSON error: {"error": {"code", "message", "field"?}}. */
void reply_error(struct reply *r, unsigned status, const char *code,
                 const char *field, const char *message);

/* A 429 with Retry-After: seconds (at least 1). */
void reply_rate_limited(struct reply *r, unsigned seconds, const char *message);

/* Maps a core fault to its HTTP status and error body (one table). */
void reply_fault(struct reply *r, const struct fault *f);

/* A 404 through that table: "no such <what>". */
void reply_not_found(struct reply *r, const char *what);

/* The request's body as a JSON value (new reference), or NULL with a 415
 * (not application/json) or 400 (malformed JSON, duplicate keys) in out. */
json_t *request_json(struct reply *out, const struct request *req);

/* True when every key of the object body is one of fields[0..n); else
 * false with a 400 unknown_field naming the first other key, and what as
 * its message ("a card payment takes only token"). */
bool body_fields_known(struct reply *out, json_t *body,
                       const char *const *fields, size_t n, const char *what);

/* Reads a pledge body (a JSON object) into req, whose strings then point
 * into body: 0, or -1 with a 400 in out (not an object, an unknown field,
 * a wrong type) or a 422 (no amount). Values are checked later, by
 * pledge_request_check(). */
struct pledge_request;
int pledge_body_parse(struct pledge_request *req, struct reply *out,
                      json_t *body);

/* The Idempotency-Key header and the hash of the request's method, path
 * and body: 0, or -1 with a 400 in out (missing or malformed key). */
struct idem;
int request_idem(struct idem *idem, struct reply *out,
                 const struct request *req);

/* Replies with a signed document {"<name>": body, "signature": S} from
 * its canonical body text. */
struct signed_doc;
json_t *signed_doc_json(const struct signed_doc *d, const char *name);

typedef void handler_fn(struct reply *out, struct request *req);

/* Who may call a route from a web page on another origin. */
enum cors_policy {
    CORS_NONE,     /* same origin only (admin) */
    CORS_PUBLIC,   /* any origin: public reads */
    CORS_CAMPAIGN, /* the campaign's allowed_origins */
};

struct route {
    const char *method;
    const char *pattern; /* "{}" matches one non-empty path segment */
    handler_fn *fn;
    enum cors_policy cors;
    bool rate_limited;
};

/* Finds the route for method and path, filling req->params. On no match
 * returns NULL and fills out with 404, or 405 with Allow. For OPTIONS on a
 * known path it answers the CORS preflight itself and returns NULL. */
const struct route *route_find(struct reply *out, struct request *req);

/* The number of routes, route i, and a route's position (for metrics
 * labels). The table is constant: nothing is written per request. */
size_t route_count(void);
const struct route *route_at(size_t i);
size_t route_index(const struct route *rt);

/* Adds the CORS headers that rt's policy grants req's Origin; true if an
 * Access-Control-Allow-Origin was granted. */
bool cors_apply(struct reply *out, const struct request *req,
                const struct route *rt);

#endif
