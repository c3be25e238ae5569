#ifndef PLEDGED_APP_BATCH_H
#define PLEDGED_APP_BATCH_H
/*
 * Group commit for pledges. Requests arriving together are written in one
 * transaction (pledging_batch): one lock per campaign head, one COMMIT
 * (synchronous_commit = on) for all of them. A batch closes when it holds
 * max_batch pledges or when the first one has waited wait_us, so a lone
 * pledge is barely delayed. Receipts are signed after the commit, outside
 * any lock, and stored in one more statement; with several committer
 * threads, one batch is being signed while the next one commits.
 *
 * A job belongs to the submitter until its done callback runs (on a
 * committer thread): then it holds the results. A failing batch fails
 * only its own jobs, and none of their pledges is written.
 */
#include "core/fault.h"
#include "core/pledge.h"
#include "core/receipt.h"

#include <stdbool.h>
#include <stddef.h>

struct batcher;

struct pledge_job {
    /* in: borrowed until done() */
    char campaign_id[CAMPAIGN_ID_MAX + 1];
    const struct pledge_request *req;
    const struct idem *idem;
    void (*done)(struct pledge_job *job);
    void *ctx;
    /* out */
    int rc; /* 0: pledge (and receipt) are valid */
    struct fault fault;
    struct pledge pledge;
    bool replayed;
    struct signed_doc receipt; /* body NULL if it could not be stored */
    /* the batcher's */
    struct pledge_job *next;
};

struct batcher_config {
    const char *conninfo;
    const struct signer *signer;
    struct cache *cache; /* told of every commit (read your writes); may be
                            NULL */
    unsigned threads; /* committer threads, each with its own connection */
    size_t max_batch; /* e.g. 256 */
    unsigned wait_us; /* e.g. 1000 */
};

/* NULL when out of memory or threads cannot start. */
struct batcher *batcher_new(const struct batcher_config *cfg);

/* Queues a job; never waits for the database. */
void batcher_submit(struct batcher *b, struct pledge_job *job);

/* Waits until every job submitted so far is done. */
void batcher_drain(struct batcher *b);

/* Drains, stops the threads and frees everything. Accepts NULL. */
void batcher_free(struct batcher *b);

#endif
