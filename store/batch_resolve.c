/* A group-commit batch whose COMMIT outcome is unknown (internal.h,
 * st_batch_resolve): found in the read-write database, or retried by the
 * client with its Idempotency-Key. */
#include "store/internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RESOLVE_PAUSE_MS 200

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool written(const struct batch_item *it)
{
    return it->rc == 0 && !it->replayed;
}

/* One look: found[i] for each written item whose pledge is in the
 * database. The transaction holds the durability barrier (st_durable): once
 * its COMMIT is answered, everything committed before it on this host (our
 * batch, if it is there) is as durable as an answered COMMIT. */
static int look(struct store *s, struct batch_item *items, size_t n,
                bool *found, struct fault *f)
{
    struct buf ids;
    buf_init(&ids);
    st_arr_open(&ids);
    for (size_t i = 0; i < n; i++)
        if (written(&items[i]))
            st_arr_text(&ids, items[i].pledge.id);
    st_arr_close(&ids);
    int rc = buf_failed(&ids) ? fault_set(f, FAULT_NOMEM, NULL, "out of memory")
                              : 0;
    PGresult *r = NULL;
    const char *params[1] = {ids.data};
    if (rc == 0 && (rc = st_exec(s, "BEGIN", f)) == 0 &&
        (rc = st_durable(s, f)) == 0 &&
        (rc = st_run(&r, s, PGRES_TUPLES_OK,
                     "SELECT id::text FROM pledges WHERE id = ANY($1::uuid[])",
                     1, params, f)) == 0) {
        for (int k = 0; k < PQntuples(r); k++)
            for (size_t i = 0; i < n; i++)
                if (written(&items[i]) &&
                    strcmp(items[i].pledge.id, PQgetvalue(r, k, 0)) == 0)
                    found[i] = true;
        PQclear(r);
        rc = st_commit(s, f);
    }
    buf_release(&ids);
    return rc;
}

int st_batch_resolve(struct store *s, struct batch_item *items, size_t n,
                     struct fault *f)
{
    bool *found = calloc(n ? n : 1, sizeof *found);
    if (found == NULL)
        return fault_set(f, FAULT_UNAVAILABLE, NULL,
                         "the outcome of the commit is unknown: retry with "
                         "the same Idempotency-Key");
    long long until = now_ms() + ST_RESOLVE_MS;
    int rc;
    for (;;) {
        struct fault local = {0};
        memset(found, 0, n * sizeof *found);
        if ((rc = st_ensure(s, &local)) == 0 &&
            (rc = look(s, items, n, found, &local)) == 0)
            break;
        if (s->conn)
            st_rollback(s);
        if (rc != FAULT_UNAVAILABLE || now_ms() >= until) {
            free(found);
            return fault_set(f, FAULT_UNAVAILABLE, NULL,
                             "the outcome of the commit is unknown: retry "
                             "with the same Idempotency-Key");
        }
        struct timespec pause = {0, RESOLVE_PAUSE_MS * 1000000L};
        nanosleep(&pause, NULL);
    }
    for (size_t i = 0; i < n; i++) {
        struct batch_item *it = &items[i];
        if (it->rc != 0 || found[i])
            continue;
        /* Not there (or a replay, whose first request we would have to
         * look up): the client's retry with the same key decides. */
        it->rc = fault_set(&it->fault, FAULT_UNAVAILABLE, NULL,
                           "the pledge was not recorded: retry with the "
                           "same Idempotency-Key");
    }
    free(found);
    return 0;
}
