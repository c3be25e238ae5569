#include "app/deliveries.h"

#include "app/bell.h"
#include "core/clock.h"
#include "core/webhook.h"
#include "provider/webhook_http.h"
#include "store/store.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define IDLE_MS 250 /* at most this long asleep with an endpoint due */
#define BATCH 100   /* events sent in one claim of an endpoint */

struct deliveries {
    const char *conninfo;
    struct events_bell *bell;
    const struct signer *signer;
    struct delivery_options o;
    struct cidr_list allow;
    pthread_t *threads;
    unsigned n;
    _Atomic bool stop;
    pthread_mutex_t lock;
    pthread_cond_t wake;
};

/* The one event a delivery sends, copied out of the store's result. */
struct next_event {
    int64_t seq;
    char id[UUID_STR_LEN];
    char *body;
    bool personal;
};

static int copy_event(void *ctx, const struct event_row *e)
{
    struct next_event *n = ctx;
    n->seq = e->seq;
    memcpy(n->id, e->id, sizeof n->id);
    n->body = webhook_body(e, n->personal);
    return n->body ? 0 : FAULT_NOMEM;
}

/* One POST of one event to ep: 0 when the receiver took it (2xx), else
 * a fault with *why (points into ans or pf) saying what went wrong. */
static int send_one(struct deliveries *d, const struct webhook_endpoint *ep,
                    const struct next_event *ev, struct webhook_answer *ans,
                    struct fault *pf, const char **why)
{
    unsigned char key[WEBHOOK_KEY_MAX];
    size_t keylen = 0, len = strlen(ev->body);
    struct webhook_headers h;
    memset(ans, 0, sizeof *ans);
    int rc = webhook_secret_parse(key, &keylen, ep->secret, pf);
    if (rc == 0)
        rc = webhook_headers_make(&h, key, keylen,
                                  ep->ed25519 ? d->signer : NULL, ev->id,
                                  clock_now_us() / 1000000, ev->body, len, pf);
    sodium_memzero(key, sizeof key);
    if (rc == 0) {
        struct webhook_request req = {
            .url = ep->url,
            .body = ev->body,
            .len = len,
            .headers = &h,
            .connect_timeout_ms = d->o.connect_timeout_ms,
            .timeout_ms = d->o.timeout_ms,
            .allow = &d->allow,
        };
        rc = webhook_post(ans, &req, pf);
    }
    *why = ans->error[0] ? ans->error : pf->message;
    return rc;
}

/* Sends ep's next events, up to BATCH of them in one claim (the cursor
 * moves after each 2xx), and ends the claim; a fault only when the
 * database failed (the claim is then released). */
static int deliver(struct deliveries *d, struct store *s,
                   struct webhook_endpoint *ep)
{
    struct fault f = {0};
    int rc = 0;
    for (int sent = 0; rc == 0; sent++) {
        struct next_event ev = {.personal = ep->personal};
        if (sent == BATCH ||
            (rc = store_webhook_next(s, ep, copy_event, &ev, &f)) != 0)
            break;
        if (ev.seq == 0) { /* nothing more of its types */
            free(ev.body);
            return sent ? store_webhook_commit(s, &f)
                        : store_webhook_skip(s, ep, &f);
        }
        struct webhook_answer ans;
        struct fault pf = {0};
        const char *why;
        if (send_one(d, ep, &ev, &ans, &pf, &why) == 0) {
            rc = store_webhook_delivered(s, ep->id, ev.seq, &f);
            ep->cursor = ev.seq;
            ep->attempts = 0;
            free(ev.body);
            continue;
        }
        int attempts = ep->attempts + 1;
        double jitter = randombytes_uniform(1000) / 1000.0;
        if (attempts == 1)
            fprintf(stderr, "pledged: webhook %s: event %lld not delivered: "
                            "%s (retrying)\n",
                    ep->id, (long long)ev.seq, why);
        free(ev.body);
        return store_webhook_failed(
            s, ep->id, attempts,
            webhook_backoff_ms(attempts, d->o.backoff_ms, jitter), why,
            d->o.give_up_s, &f);
    }
    if (rc) {
        store_webhook_release(s);
        return rc;
    }
    return store_webhook_commit(s, &f);
}

static void woken(void *ctx, bool fired)
{
    (void)fired;
    struct deliveries *d = ctx;
    pthread_mutex_lock(&d->lock);
    pthread_cond_broadcast(&d->wake);
    pthread_mutex_unlock(&d->lock);
}

/* Asleep until a new event, IDLE_MS, or stop. */
static void idle(struct deliveries *d)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += IDLE_MS * 1000000L;
    until.tv_sec += until.tv_nsec / 1000000000L;
    until.tv_nsec %= 1000000000L;
    pthread_mutex_lock(&d->lock);
    if (!atomic_load(&d->stop) &&
        bell_wait(d->bell, bell_latest(d->bell), IDLE_MS, woken, d))
        pthread_cond_timedwait(&d->wake, &d->lock, &until);
    pthread_mutex_unlock(&d->lock);
}

static void *work(void *arg)
{
    struct deliveries *d = arg;
    /* Below the pledge path: under full load deliveries wait, pledges do
     * not (Linux: a thread's nice value is its own). */
    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
    struct store *s = store_new(d->conninfo);
    while (s && !atomic_load(&d->stop)) {
        struct webhook_endpoint *ep = malloc(sizeof *ep);
        struct fault f = {0};
        int claimed = ep ? store_webhook_claim(ep, s, &f) : 0;
        int rc = claimed == 1 ? deliver(d, s, ep) : claimed;
        if (ep)
            sodium_memzero(ep->secret, sizeof ep->secret);
        free(ep);
        if (claimed != 1 || rc != 0) /* nothing due, or the database failed */
            idle(d);
    }
    store_free(s);
    return NULL;
}

struct deliveries *deliveries_start(const char *conninfo,
                                    struct events_bell *bell,
                                    const struct signer *signer,
                                    const struct delivery_options *o)
{
    if (o == NULL || o->workers == 0 || bell == NULL)
        return NULL;
    struct deliveries *d = calloc(1, sizeof *d);
    if (d == NULL || (d->threads = calloc(o->workers, sizeof *d->threads)) ==
                         NULL) {
        free(d);
        return NULL;
    }
    d->conninfo = conninfo;
    d->bell = bell;
    d->signer = signer;
    d->o = *o;
    if (o->allow)
        d->allow = *o->allow;
    pthread_mutex_init(&d->lock, NULL);
    pthread_cond_init(&d->wake, NULL);
    for (unsigned i = 0; i < o->workers; i++)
        if (pthread_create(&d->threads[d->n], NULL, work, d) == 0)
            d->n++;
    if (d->n == 0) {
        deliveries_stop(d);
        return NULL;
    }
    return d;
}

void deliveries_stop(struct deliveries *d)
{
    if (d == NULL)
        return;
    pthread_mutex_lock(&d->lock);
    atomic_store(&d->stop, true);
    pthread_cond_broadcast(&d->wake);
    pthread_mutex_unlock(&d->lock);
    for (unsigned i = 0; i < d->n; i++)
        pthread_join(d->threads[i], NULL);
    bell_cancel(d->bell, d);
    pthread_cond_destroy(&d->wake);
    pthread_mutex_destroy(&d->lock);
    free(d->threads);
    free(d);
}
