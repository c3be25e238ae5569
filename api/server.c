#include "api/server.h"

#include "api/framing.h"
#include "api/metrics.h"
#include "api/proxy.h"
#include "api/ratelimit.h"
#include "app/app.h"
#include "app/events.h"
#include "app/batch.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

/* Per-request state, from the first callback to the completion notice. */
struct exchange {
    struct reply rep;
    struct MHD_Connection *conn;
    const struct route *route;
    struct timespec t0;
    bool deferred; /* suspended until reply_resume() */
    bool started;  /* the headers were checked */
    struct framing_verdict uri; /* the request target's, from on_uri() */
    struct buf body;
    bool too_large;
    bool refused; /* the 413 is queued */
    size_t discarded;
};

/* How much of an oversize chunked body is read (and dropped) to be able to
 * answer 413 before the connection is simply closed. */
#define DISCARD_MAX (1024 * 1024)

static const char *header_get(const struct request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

static const char *query_get(const struct request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

struct stream {
    stream_fn *fn;
    stream_free_fn *free;
    void *ctx;
};

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct stream *st = cls;
    long n = st->fn(st->ctx, buf, max);
    if (n < 0)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    return n == 0 ? MHD_CONTENT_READER_END_OF_STREAM : (ssize_t)n;
}

static void stream_done(void *cls)
{
    struct stream *st = cls;
    st->free(st->ctx);
    free(st);
}

static struct MHD_Response *make_response(struct reply *rep)
{
    if (rep->stream == NULL)
        return MHD_create_response_from_buffer(rep->body.len, rep->body.data,
                                               MHD_RESPMEM_MUST_COPY);
    struct stream *st = malloc(sizeof *st);
    if (st == NULL)
        return NULL;
    *st = (struct stream){rep->stream, rep->stream_free, rep->stream_ctx};
    struct MHD_Response *resp = MHD_create_response_from_callback(
        MHD_SIZE_UNKNOWN, 64 * 1024, stream_read, st, stream_done);
    if (resp == NULL) {
        free(st);
        return NULL;
    }
    rep->stream_ctx = NULL; /* now owned by the response */
    return resp;
}

static enum MHD_Result send_reply(struct MHD_Connection *conn,
                                  struct reply *rep)
{
    struct MHD_Response *resp = make_response(rep);
    if (resp == NULL)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            rep->content_type);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    /* JSON is data, never a page: nothing may run or load in it. */
    if (strncmp(rep->content_type, "application/json", 16) == 0)
        MHD_add_response_header(resp, "Content-Security-Policy",
                                "default-src 'none'; frame-ancestors 'none'");
    for (size_t i = 0; i < rep->nheaders; i++)
        MHD_add_response_header(resp, rep->header_names[i],
                                rep->header_values[i]);
    enum MHD_Result rc = MHD_queue_response(conn, rep->status, resp);
    MHD_destroy_response(resp);
    return rc;
}

/* Answers before the body is read; with close, the connection is closed
 * after the answer, so that nothing after this request is read. */
static enum MHD_Result refuse(struct MHD_Connection *conn, unsigned status,
                              const char *code, const char *message,
                              bool close)
{
    struct reply rep;
    reply_init(&rep);
    reply_error(&rep, status, code, NULL, message);
    if (close)
        reply_header(&rep, "Connection", "close");
    enum MHD_Result rc = send_reply(conn, &rep);
    reply_release(&rep);
    return rc;
}

/* One line a request, and the metrics. Only the method and the route's
 * pattern are logged, never the path, headers or bodies: no email, token
 * or id a client sent reaches the log. */
static void log_access(const char *method, const struct route *rt,
                       unsigned status, const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
                (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
    bool known = rt && strlen(method) < 8;
    fprintf(stderr, "access method=%s route=%s status=%u ms=%.2f\n",
            known ? method : "-", rt ? rt->pattern : "-", status, ms);
    metrics_request(rt ? route_index(rt) : route_count(), status, ms);
}

static struct reply *suspend_request(struct request *r, void **token)
{
    struct exchange *ex = r->exchange;
    ex->deferred = true;
    MHD_suspend_connection(ex->conn);
    *token = ex;
    return &ex->rep;
}

void reply_resume(void *token)
{
    struct exchange *ex = token;
    MHD_resume_connection(ex->conn);
}

/* Every line of one header, joined by ", " (bounded: the header block
 * is at most FRAMING_HEADER_BYTES). */
struct joined {
    const char *name;
    char text[FRAMING_HEADER_BYTES + 1];
    size_t len;
    bool seen;
};

static enum MHD_Result join_field(void *cls, enum MHD_ValueKind kind,
                                  const char *key, size_t key_size,
                                  const char *value, size_t value_size)
{
    (void)kind;
    struct joined *j = cls;
    if (key == NULL || strlen(j->name) != key_size ||
        strncasecmp(key, j->name, key_size) != 0)
        return MHD_YES;
    size_t sep = j->seen ? 2 : 0;
    if (value && j->len + sep + value_size < sizeof j->text) {
        memcpy(j->text + j->len, ", ", sep);
        memcpy(j->text + j->len + sep, value, value_size);
        j->len += sep + value_size;
        j->text[j->len] = '\0';
    }
    j->seen = true;
    return MHD_YES;
}

/* The peer's address, or the client's behind a trusted proxy. */
static void client_address(struct request *req, struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = info ? info->client_addr : NULL;
    unsigned char peer[16];
    size_t len = 0;
    if (sa && sa->sa_family == AF_INET) {
        memcpy(peer, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
               4);
        len = 4;
    } else if (sa && sa->sa_family == AF_INET6) {
        memcpy(peer,
               &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
        len = 16;
    }
    req->client_addr_len = len;
    memcpy(req->client_addr, peer, len);
    if (len == 0 || !cidr_list_contains(req->api->trusted_proxies, peer, len))
        return;
    static _Thread_local struct joined chain;
    chain = (struct joined){.name = req->api->proxy_header};
    MHD_get_connection_values_n(conn, MHD_HEADER_KIND, join_field, &chain);
    proxy_client(req->client_addr, &req->client_addr_len, peer, len,
                 chain.seen ? chain.text : NULL,
                 strcasecmp(chain.name, "Forwarded") == 0,
                 req->api->trusted_proxies);
}

static void dispatch(struct reply *rep, struct request *req)
{
    const struct route *rt = route_find(rep, req);
    req->route = rt;
    if (rt == NULL)
        return;
    /* CORS first: a handler may suspend the request, and then the reply
     * belongs to the thread that finishes it, which may already be
     * filling it when the handler returns here. */
    cors_apply(rep, req, rt);
    unsigned wait;
    if (rt->rate_limited && req->api->post_limit &&
        !ratelimit_take(req->api->post_limit, req->client_addr,
                        req->client_addr_len, &wait)) {
        reply_rate_limited(rep, wait,
                           "too many requests from this address; retry later");
    } else {
        rt->fn(rep, req);
    }
}

static struct exchange *exchange_new(struct MHD_Connection *conn)
{
    struct exchange *ex = calloc(1, sizeof *ex);
    if (ex == NULL)
        return NULL;
    buf_init(&ex->body);
    reply_init(&ex->rep);
    ex->conn = conn;
    return ex;
}

/* Called by libmicrohttpd with the request target as received, before it
 * parses the query: a target we refuse has its query cut here, so that
 * thousands of parameters cannot exhaust the connection's memory before
 * we can answer (libmicrohttpd itself would close without a word). */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    struct exchange *ex = exchange_new(conn);
    if (ex == NULL || uri == NULL)
        return ex;
    size_t len = strlen(uri);
    ex->uri = framing_uri(uri, len);
    char *q = memchr(uri, '?', len);
    if (ex->uri.status && q)
        q[1] = '\0'; /* the buffer is libmicrohttpd's own, writable */
    return ex;
}

static enum MHD_Result take_field(void *cls, enum MHD_ValueKind kind,
                                  const char *key, size_t key_size,
                                  const char *value, size_t value_size)
{
    (void)kind;
    framing_field(cls, key, key_size, value, value_size);
    return MHD_YES;
}

static struct framing_verdict check_framing(struct MHD_Connection *conn,
                                            const char *version)
{
    struct framing fr;
    framing_init(&fr);
    MHD_get_connection_values_n(conn, MHD_HEADER_KIND, take_field, &fr);
    return framing_verdict(&fr, version);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    struct api *api = cls;
    struct exchange *ex = *con_cls;
    if (ex == NULL && (ex = *con_cls = exchange_new(conn)) == NULL)
        return MHD_NO;
    if (!ex->started) { /* first call: the headers are in, no body yet */
        ex->started = true;
        ex->conn = conn;
        struct framing_verdict v =
            ex->uri.status ? ex->uri : check_framing(conn, version);
        const char *cl = MHD_lookup_connection_value(
            conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (v.status == 0 &&
            (cl == NULL || strtoull(cl, NULL, 10) <= SERVER_BODY_MAX))
            return MHD_YES;
        /* Refused, or declared too large: answer before reading any of
         * the body, and close. */
        ex->too_large = ex->refused = true;
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (v.status) {
            log_access(method, NULL, v.status, &t0);
            return refuse(conn, v.status, v.code, v.message, true);
        }
        log_access(method, NULL, 413, &t0);
        return refuse(conn, 413, "payload_too_large",
                      "request body is over 16 KiB", true);
    }
    if (ex->deferred) { /* resumed: the reply is filled */
        enum MHD_Result rc = send_reply(conn, &ex->rep);
        log_access(method, ex->route, ex->rep.status, &ex->t0);
        return rc;
    }
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (*upload_size > 0) {
        if (!ex->too_large && ex->body.len + *upload_size <= SERVER_BODY_MAX) {
            buf_append(&ex->body, upload, *upload_size);
        } else if (!ex->too_large) {
            /* A chunked body that grew past the limit: libmicrohttpd can
             * only answer once the body is in, so drop the rest unread
             * into memory, up to DISCARD_MAX, then hang up. */
            ex->too_large = true;
            buf_release(&ex->body);
        }
        if (ex->too_large) {
            ex->discarded += *upload_size;
            if (ex->discarded > DISCARD_MAX)
                return MHD_NO;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (ex->too_large) {
        if (ex->refused)
            return MHD_YES;
        ex->refused = true;
        log_access(method, NULL, 413, &t0);
        return refuse(conn, 413, "payload_too_large",
                      "request body is over 16 KiB", true);
    }
    if (buf_failed(&ex->body))
        return refuse(conn, 503, "out_of_memory", "out of memory", true);

    struct request req = {.method = method,
                          .path = url,
                          .body = ex->body.data,
                          .body_len = ex->body.len,
                          .api = api,
                          .header = header_get,
                          .query = query_get,
                          .suspend = suspend_request,
                          .exchange = ex,
                          .conn = conn};
    client_address(&req, conn);
    ex->t0 = t0;
    dispatch(&ex->rep, &req);
    ex->route = req.route;
    if (ex->deferred)
        return MHD_YES;
    enum MHD_Result rc = send_reply(conn, &ex->rep);
    log_access(method, req.route, ex->rep.status, &t0);
    return rc;
}

static void on_completed(void *cls, struct MHD_Connection *conn,
                         void **con_cls, enum MHD_RequestTerminationCode why)
{
    (void)cls, (void)conn, (void)why;
    struct exchange *ex = *con_cls;
    if (ex) {
        buf_release(&ex->body);
        reply_release(&ex->rep);
        free(ex);
        *con_cls = NULL;
    }
}

static int parse_listen(struct sockaddr_in *sa, const char *listen)
{
    char host[64];
    const char *colon = strrchr(listen, ':');
    if (colon == NULL || (size_t)(colon - listen) >= sizeof host)
        return -1;
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    char *end;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (*end || port == 0 || port > 65535)
        return -1;
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof host, "127.0.0.1");
    return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

int server_run(const struct server_config *cfg, struct api *api)
{
    struct sockaddr_in sa;
    if (parse_listen(&sa, cfg->listen) != 0) {
        fprintf(stderr, "pledged: PLEDGED_LISTEN must be IPv4:port, not %s\n",
                cfg->listen);
        return -1;
    }
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    /* Block the signals in every thread; only sigwait() below takes them. */
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
            MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG,
        0, NULL, NULL, on_request, api, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned int)cfg->threads, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned int)cfg->connection_limit,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)cfg->per_ip_limit,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg->timeout_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL, MHD_OPTION_END);
    if (d == NULL) {
        fprintf(stderr, "pledged: cannot listen on %s\n", cfg->listen);
        return -1;
    }
    fprintf(stderr, "pledged: serving on http://%s (%u threads)\n",
            cfg->listen, cfg->threads);
    int sig;
    sigwait(&stop, &sig);
    fprintf(stderr, "pledged: signal %d, finishing requests in flight\n", sig);
    /* Stop accepting, let the pledges in flight commit and be answered,
     * then let the workers finish what they hold. */
    MHD_quiesce_daemon(d);
    if (api->app->batcher)
        batcher_drain(api->app->batcher);
    /* Event streams wait suspended: answer them now (MHD refuses to stop
     * with a connection suspended). */
    events_close(api->app);
    struct timespec settle = {0, 200 * 1000 * 1000};
    nanosleep(&settle, NULL);
    MHD_stop_daemon(d);
    fprintf(stderr, "pledged: stopped\n");
    return 0;
}
