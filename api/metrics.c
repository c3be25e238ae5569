#include "api/metrics.h"

#include "api/http.h"
#include "app/app.h"
#include "core/tally.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

static const unsigned statuses[] = {200, 201, 204, 304, 400, 401, 403, 404,
                                    405, 409, 413, 415, 422, 429, 500, 503};
#define NSTATUS (sizeof statuses / sizeof statuses[0])
static const double buckets_ms[] = {1, 2.5, 5, 10, 25, 50, 100, 250, 500,
                                    1000, 2500};
#define NBUCKETS (sizeof buckets_ms / sizeof buckets_ms[0])
#define CURRENCIES_MAX 8

static _Atomic uint64_t requests[ROUTES_MAX + 1][NSTATUS + 1];
static _Atomic uint64_t latency[NBUCKETS + 1];
static _Atomic uint64_t latency_count;
static _Atomic uint64_t latency_sum_us;
static _Atomic uint64_t pledges[2]; /* tier, custom */

/* Money counted exactly (never wrapping), under amounts_lock. */
static pthread_mutex_t amounts_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    char code[4];
    struct tally amount;
} amounts[CURRENCIES_MAX];
static size_t namounts;

void metrics_request(size_t route, unsigned status, double ms)
{
    if (route > ROUTES_MAX)
        route = ROUTES_MAX;
    size_t s = NSTATUS;
    for (size_t i = 0; i < NSTATUS; i++)
        if (statuses[i] == status)
            s = i;
    atomic_fetch_add(&requests[route][s], 1);
    size_t b = NBUCKETS;
    for (size_t i = 0; i < NBUCKETS && b == NBUCKETS; i++)
        if (ms <= buckets_ms[i])
            b = i;
    atomic_fetch_add(&latency[b], 1);
    atomic_fetch_add(&latency_count, 1);
    atomic_fetch_add(&latency_sum_us, (uint64_t)(ms * 1000));
}

void metrics_pledge(const char *currency, int64_t amount_minor, bool tier)
{
    atomic_fetch_add(&pledges[tier ? 0 : 1], 1);
    pthread_mutex_lock(&amounts_lock);
    size_t i = 0;
    while (i < namounts && strcmp(amounts[i].code, currency) != 0)
        i++;
    if (i == namounts && i < CURRENCIES_MAX) {
        memcpy(amounts[i].code, currency, 3);
        namounts++;
    }
    if (i < CURRENCIES_MAX)
        tally_add(&amounts[i].amount, amount_minor);
    pthread_mutex_unlock(&amounts_lock);
}

void metrics_render(struct buf *out, struct app *a)
{
    struct app_stats st;
    app_stats(&st, a);
    buf_puts(out, "# HELP pledged_http_requests_total HTTP requests by route "
                  "and status.\n# TYPE pledged_http_requests_total counter\n");
    size_t nroutes = route_count(); /* < ROUTES_MAX (api/routes.c) */
    for (size_t r = 0; r <= nroutes; r++) {
        const struct route *rt = route_at(r);
        for (size_t s = 0; s <= NSTATUS; s++) {
            uint64_t v = atomic_load(&requests[r][s]);
            if (v == 0)
                continue;
            buf_printf(out,
                       "pledged_http_requests_total{method=\"%s\",route=\"%s\","
                       "status=\"%s%u\"} %llu\n",
                       rt ? rt->method : "", rt ? rt->pattern : "unmatched",
                       s < NSTATUS ? "" : "other", s < NSTATUS ? statuses[s] : 0,
                       (unsigned long long)v);
        }
    }
    buf_puts(out, "# HELP pledged_http_request_duration_seconds Request "
                  "latency.\n# TYPE pledged_http_request_duration_seconds "
                  "histogram\n");
    uint64_t cum = 0;
    for (size_t i = 0; i <= NBUCKETS; i++) {
        cum += atomic_load(&latency[i]);
        if (i < NBUCKETS)
            buf_printf(out,
                       "pledged_http_request_duration_seconds_bucket{le=\"%g\"}"
                       " %llu\n",
                       buckets_ms[i] / 1000, (unsigned long long)cum);
        else
            buf_printf(out,
                       "pledged_http_request_duration_seconds_bucket{le=\"+Inf\"}"
                       " %llu\n",
                       (unsigned long long)cum);
    }
    buf_printf(out, "pledged_http_request_duration_seconds_sum %.6f\n",
               (double)atomic_load(&latency_sum_us) / 1e6);
    buf_printf(out, "pledged_http_request_duration_seconds_count %llu\n",
               (unsigned long long)atomic_load(&latency_count));
    buf_printf(out,
               "# HELP pledged_pledges_total Pledges recorded by this "
               "process.\n# TYPE pledged_pledges_total counter\n"
               "pledged_pledges_total{kind=\"tier\"} %llu\n"
               "pledged_pledges_total{kind=\"custom\"} %llu\n",
               (unsigned long long)atomic_load(&pledges[0]),
               (unsigned long long)atomic_load(&pledges[1]));
    buf_puts(out, "# HELP pledged_pledged_minor_total Minor units pledged "
                  "through this process.\n# TYPE pledged_pledged_minor_total "
                  "counter\n");
    pthread_mutex_lock(&amounts_lock);
    for (size_t i = 0; i < namounts; i++) {
        char value[48];
        if (tally_format(value, sizeof value, &amounts[i].amount) > 0)
            buf_printf(out,
                       "pledged_pledged_minor_total{currency=\"%.3s\"} %s\n",
                       amounts[i].code, value);
    }
    pthread_mutex_unlock(&amounts_lock);
    buf_printf(out,
               "# HELP pledged_db_connections Database connections in the "
               "pool.\n# TYPE pledged_db_connections gauge\n"
               "pledged_db_connections{state=\"in_use\"} %zu\n"
               "pledged_db_connections{state=\"total\"} %zu\n",
               st.pool_in_use, st.pool_size);
    buf_printf(out,
               "# HELP pledged_cache_reads_total Campaign and totals reads.\n"
               "# TYPE pledged_cache_reads_total counter\n"
               "pledged_cache_reads_total{result=\"hit\"} %lu\n"
               "pledged_cache_reads_total{result=\"miss\"} %lu\n"
               "# HELP pledged_cache_listening Whether change notifications "
               "arrive (else every read goes to the database).\n"
               "# TYPE pledged_cache_listening gauge\n"
               "pledged_cache_listening %d\n",
               st.cache_hits, st.cache_misses, st.cache_live ? 1 : 0);
}
