#ifndef PLEDGED_SERVER_H
#define PLEDGED_SERVER_H
/*
 * The HTTP server on libmicrohttpd: an internal thread pool over epoll,
 * bounded connections, bodies read incrementally and refused past
 * SERVER_BODY_MAX. server_run() serves until SIGTERM or SIGINT, then stops
 * taking connections and lets the requests in flight finish.
 */
#include "api/http.h"

#include <stdint.h>

#define SERVER_BODY_MAX (16 * 1024)

struct server_config {
    const char *listen;        /* "127.0.0.1:8080" */
    unsigned threads;          /* worker threads (and DB connections) */
    unsigned connection_limit; /* total open connections */
    unsigned per_ip_limit;     /* open connections from one address */
    unsigned timeout_s;        /* idle connection timeout */
};

/* Serves until a signal. 0 after a clean shutdown, -1 if it could not
 * start (message on stderr). */
int server_run(const struct server_config *cfg, struct api *api);

#endif
