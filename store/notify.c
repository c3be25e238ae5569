/* LISTEN/NOTIFY: how every instance learns that totals moved. */
#include "store/internal.h"

#include <poll.h>

int store_listen_totals(struct store *s, struct fault *f)
{
    int rc = st_ensure(s, f);
    return rc ? rc : st_exec(s, "LISTEN " ST_TOTALS_CHANNEL, f);
}

int store_notifications(struct store *s, int timeout_ms,
                        void (*fn)(void *ctx, const char *payload), void *ctx,
                        struct fault *f)
{
    if (s->conn == NULL || PQstatus(s->conn) != CONNECTION_OK)
        return fault_set(f, FAULT_UNAVAILABLE, NULL, "listener disconnected");
    struct pollfd pfd = {.fd = PQsocket(s->conn), .events = POLLIN};
    if (poll(&pfd, 1, timeout_ms) < 0)
        return 0;
    if (!PQconsumeInput(s->conn) || PQstatus(s->conn) != CONNECTION_OK)
        return fault_set(f, FAULT_UNAVAILABLE, NULL, "listener disconnected");
    PGnotify *n;
    while ((n = PQnotifies(s->conn)) != NULL) {
        fn(ctx, n->extra);
        PQfreemem(n);
    }
    return 0;
}
