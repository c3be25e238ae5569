#include "app/batch.h"

#include "app/cache.h"
#include "app/pledging.h"
#include "app/receipts.h"
#include "store/store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH_QUIET_US 150

struct batcher {
    struct batcher_config cfg;
    pthread_mutex_t lock;
    pthread_cond_t arrived; /* a job was queued */
    pthread_cond_t idle;    /* the queue emptied and no batch runs */
    struct pledge_job *head, *tail;
    size_t queued, running;
    bool stop;
    pthread_t *threads;
    size_t nthreads;
};

void batcher_submit(struct batcher *b, struct pledge_job *job)
{
    job->next = NULL;
    pthread_mutex_lock(&b->lock);
    if (b->tail)
        b->tail->next = job;
    else
        b->head = job;
    b->tail = job;
    b->queued++;
    pthread_cond_signal(&b->arrived);
    pthread_mutex_unlock(&b->lock);
}

static void deadline_after(struct timespec *ts, unsigned us)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_nsec += (long)us * 1000;
    while (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

/* Takes the next batch off the queue, or NULL when stopping. */
static struct pledge_job *take(struct batcher *b, size_t *n)
{
    pthread_mutex_lock(&b->lock);
    while (b->head == NULL && !b->stop)
        pthread_cond_wait(&b->arrived, &b->lock);
    /* Let the batch fill while pledges keep arriving, for at most
     * wait_us: a pause of BATCH_QUIET_US with none new closes it early, so
     * a lone pledge waits only that long. */
    for (unsigned waited = 0; b->head && b->queued < b->cfg.max_batch &&
                              !b->stop && waited < b->cfg.wait_us;
         waited += BATCH_QUIET_US) {
        size_t before = b->queued;
        struct timespec until;
        deadline_after(&until, BATCH_QUIET_US);
        while (b->queued == before && !b->stop &&
               pthread_cond_timedwait(&b->arrived, &b->lock, &until) == 0)
            ;
        if (b->queued == before)
            break;
    }
    struct pledge_job *first = b->head, *last = NULL;
    size_t count = 0;
    for (struct pledge_job *j = first; j && count < b->cfg.max_batch;
         j = j->next)
        last = j, count++;
    if (last) {
        b->head = last->next;
        if (b->head == NULL)
            b->tail = NULL;
        last->next = NULL;
        b->queued -= count;
        b->running++;
    }
    pthread_mutex_unlock(&b->lock);
    *n = count;
    return first;
}

static void finished(struct batcher *b)
{
    pthread_mutex_lock(&b->lock);
    b->running--;
    if (b->running == 0 && b->head == NULL)
        pthread_cond_broadcast(&b->idle);
    pthread_mutex_unlock(&b->lock);
}

/* Signs the receipts of the batch's new pledges (outside any lock) and
 * answers every job; then stores the receipts in one statement. Answering
 * first is safe: a receipt is a deterministic function of its committed
 * entry and the key, so one not stored yet is signed again, to the same
 * bytes, by a replay. Replays get the stored receipt (or one signed now). */
static void answer(struct store *s, const struct signer *k,
                   struct pledge_job **jobs, size_t n)
{
    struct signed_doc *docs = calloc(n, sizeof *docs);
    const char **ids = calloc(n, sizeof *ids);
    bool *stored = calloc(n, sizeof *stored);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        struct pledge_job *j = jobs[i];
        if (j->rc != 0)
            continue;
        if (j->replayed) {
            if (receipts_pledge(&j->receipt, s, k, &j->pledge, NULL) != 0)
                j->receipt.body = NULL;
        } else if (receipt_pledge_sign(&j->receipt, k, &j->pledge, NULL) != 0) {
            j->receipt.body = NULL;
        } else if (docs && ids && stored &&
                   (docs[m].body = strdup(j->receipt.body)) != NULL) {
            memcpy(docs[m].signature, j->receipt.signature,
                   sizeof docs[m].signature);
            ids[m++] = j->pledge.id;
        }
    }
    /* Copy the ids: done() may free the jobs. */
    char(*idcopy)[UUID_STR_LEN] = calloc(m ? m : 1, UUID_STR_LEN);
    for (size_t d = 0; idcopy && d < m; d++) {
        memcpy(idcopy[d], ids[d], UUID_STR_LEN);
        ids[d] = idcopy[d];
    }
    for (size_t i = 0; i < n; i++)
        jobs[i]->done(jobs[i]);
    struct fault f = {0};
    if (m > 0 && idcopy &&
        store_receipts_put(stored, s, ids, docs, m, "pledge_receipt", k->kid,
                           &f) != 0)
        fprintf(stderr,
                "pledged: %zu receipts not stored yet (%s); "
                "replays will sign them again\n",
                m, f.message);
    for (size_t d = 0; d < m; d++)
        signed_doc_release(&docs[d]);
    free(idcopy);
    free(docs);
    free(ids);
    free(stored);
}

static void run_batch(struct batcher *b, struct store *s,
                      struct pledge_job *first, size_t n)
{
    struct batch_item *items = calloc(n, sizeof *items);
    const struct pledge_request **reqs = calloc(n, sizeof *reqs);
    struct pledge_job **jobs = calloc(n, sizeof *jobs);
    struct fault f = {0};
    int rc = items && reqs && jobs
                 ? 0
                 : fault_set(&f, FAULT_NOMEM, NULL, "out of memory");
    size_t i = 0;
    for (struct pledge_job *j = first; j; j = j->next, i++) {
        if (jobs)
            jobs[i] = j;
        if (rc == 0) {
            pledging_item_init(&items[i], j->campaign_id, j->idem);
            reqs[i] = j->req;
        }
    }
    if (rc == 0)
        rc = pledging_batch(s, items, n, reqs, &f);
    for (i = 0; jobs && i < n; i++) {
        struct pledge_job *j = jobs[i];
        memset(&j->receipt, 0, sizeof j->receipt);
        j->rc = rc ? rc : items[i].rc;
        j->fault = rc ? f : items[i].fault;
        if (j->rc == 0) {
            j->pledge = items[i].pledge;
            j->replayed = items[i].replayed;
        }
    }
    /* Read your writes: this instance's next read of a campaign must not
     * wait for the change notification to arrive. */
    for (i = 0; jobs && i < n; i++)
        if (jobs[i]->rc == 0)
            cache_forget(b->cfg.cache, jobs[i]->pledge.campaign_id);
    if (jobs) {
        answer(s, b->cfg.signer, jobs, n);
    } else { /* done() may free the job: read next first */
        for (struct pledge_job *j = first, *next; j; j = next) {
            next = j->next;
            j->rc = FAULT_NOMEM;
            j->fault = f;
            j->done(j);
        }
    }
    free(items);
    free(reqs);
    free(jobs);
}

static void *committer(void *arg)
{
    struct batcher *b = arg;
    struct store *s = store_new(b->cfg.conninfo);
    for (;;) {
        size_t n;
        struct pledge_job *jobs = take(b, &n);
        if (jobs == NULL)
            break;
        if (s == NULL) {
            for (struct pledge_job *j = jobs, *next; j; j = next) {
                next = j->next;
                j->rc =
                    fault_set(&j->fault, FAULT_NOMEM, NULL, "out of memory");
                j->done(j);
            }
        } else {
            run_batch(b, s, jobs, n);
        }
        finished(b);
    }
    store_free(s);
    return NULL;
}

struct batcher *batcher_new(const struct batcher_config *cfg)
{
    struct batcher *b = calloc(1, sizeof *b);
    if (b == NULL)
        return NULL;
    b->cfg = *cfg;
    if (b->cfg.max_batch == 0)
        b->cfg.max_batch = 1;
    pthread_mutex_init(&b->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&b->arrived, &attr);
    pthread_condattr_destroy(&attr);
    pthread_cond_init(&b->idle, NULL);
    size_t want = cfg->threads ? cfg->threads : 1;
    b->threads = calloc(want, sizeof *b->threads);
    for (; b->threads && b->nthreads < want; b->nthreads++)
        if (pthread_create(&b->threads[b->nthreads], NULL, committer, b))
            break;
    if (b->nthreads == 0) {
        batcher_free(b);
        return NULL;
    }
    return b;
}

void batcher_drain(struct batcher *b)
{
    pthread_mutex_lock(&b->lock);
    while (b->head != NULL || b->running > 0)
        pthread_cond_wait(&b->idle, &b->lock);
    pthread_mutex_unlock(&b->lock);
}

void batcher_free(struct batcher *b)
{
    if (b == NULL)
        return;
    if (b->nthreads)
        batcher_drain(b);
    pthread_mutex_lock(&b->lock);
    b->stop = true;
    pthread_cond_broadcast(&b->arrived);
    pthread_mutex_unlock(&b->lock);
    for (size_t i = 0; i < b->nthreads; i++)
        pthread_join(b->threads[i], NULL);
    free(b->threads);
    pthread_mutex_destroy(&b->lock);
    pthread_cond_destroy(&b->arrived);
    pthread_cond_destroy(&b->idle);
    free(b);
}
