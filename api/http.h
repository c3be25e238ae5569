#ifndef PLEDGED_HTTP_H
#define PLEDGED_HTTP_H
/*
 * What the HTTP layer hands to a handler and gets back. Handlers fill a
 * struct reply; they never touch libmicrohttpd themselves, and never see
 * SQL: they call core/ with plain C structs.
 *
 * A reply's body is owned by the reply (reply_release frees it). A handler
 * that sets no status leaves 500, which only a bug can produce.
 */
#include "core/buf.h"
#include "core/fault.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct pool;
struct signer;

#define REQUEST_PARAMS_MAX 2
#define REQUEST_PARAM_LEN 128
#define REPLY_HEADERS_MAX 8

struct app {
    struct pool *pool;
    const struct signer *signer; /* receipts and heads */
};

struct request {
    const char *method;
    const char *path;
    char params[REQUEST_PARAMS_MAX][REQUEST_PARAM_LEN]; /* {} of the route */
    size_t nparams;
    const char *body;  /* NUL-terminated copy of the body, NUL-free or not */
    size_t body_len;
    struct app *app;
    /* Header lookup (case-insensitive); NULL when absent. */
    const char *(*header)(const struct request *r, const char *name);
    void *conn; /* the transport's, for header() */
};

struct reply {
    unsigned status;
    const char *content_type;
    struct buf body;
    size_t nheaders;
    const char *header_names[REPLY_HEADERS_MAX];
    char header_values[REPLY_HEADERS_MAX][128];
};

void reply_init(struct reply *r);
void reply_release(struct reply *r);

/* Adds a response header (value copied, cut at 127 bytes). */
void reply_header(struct reply *r, const char *name, const char *value);

/* Sets status and a compact JSON body from v, which this takes (decrefs). */
void reply_json_take(struct reply *r, unsigned status, json_t *v);

/* A JSON error: {"error": {"code", "message", "field"?}}. */
void reply_error(struct reply *r, unsigned status, const char *code,
                 const char *field, const char *message);

/* Maps a core fault to its HTTP status and error body (one table). */
void reply_fault(struct reply *r, const struct fault *f);

/* The request's body as a JSON value (new reference), or NULL with a 415
 * (not application/json) or 400 (malformed JSON, duplicate keys) in out. */
json_t *request_json(struct reply *out, const struct request *req);

/* Replies with a signed document {"<name>": body, "signature": S} from
 * its canonical body text. */
struct signed_doc;
json_t *signed_doc_json(const struct signed_doc *d, const char *name);

typedef void handler_fn(struct reply *out, struct request *req);

/* Finds the handler for method and path, filling req->params. On no match
 * returns NULL and fills out with 404, or 405 with Allow. */
handler_fn *route_find(struct reply *out, struct request *req);

#endif
