/* POST /v1/campaigns/{id}/pledges: parse, validate, record, receipt. */
#include "api/handlers.h"
#include "api/metrics.h"
#include "api/present.h"
#include "app/app.h"
#include "app/batch.h"
#include "app/keys.h"
#include "core/pledge.h"

#include <stdlib.h>
#include <string.h>

/* One pledge on its way through the batcher. */
struct pledge_call {
    struct pledge_job job;
    struct pledge_request preq; /* strings point into body */
    struct idem idem;
    char key[IDEM_KEY_MAX + 1];
    json_t *body;
    struct reply *out;
    void *token;
};

/* Runs on a committer thread when the batch is done: the 201 body is the
 * pledge and its stored receipt, identical on every replay. */
static void pledge_done(struct pledge_job *job)
{
    struct pledge_call *call = job->ctx;
    struct reply *out = call->out;
    if (job->rc != 0) {
        reply_fault(out, &job->fault);
    } else if (job->receipt.body == NULL) {
        /* The pledge is committed; its receipt is not stored yet. A retry
         * with the same key replays the pledge and signs it then. */
        reply_header(out, "Retry-After", "1");
        reply_error(out, 503, "receipt_unavailable", NULL,
                    "the pledge is recorded but its receipt could not be "
                    "stored: retry with the same Idempotency-Key");
    } else {
        const struct pledge *p = &job->pledge;
        if (!job->replayed)
            metrics_pledge(p->currency, p->amount_minor, p->kind == PLEDGE_TIER);
        reply_json_take(out, 201,
                        json_pack("{s:o, s:o}", "pledge", present_pledge(p),
                                  "receipt",
                                  signed_doc_json(&job->receipt, "receipt")));
        if (job->replayed)
            reply_header(out, "Idempotent-Replayed", "true");
    }
    signed_doc_release(&job->receipt);
    void *token = call->token;
    json_decref(call->body);
    free(call);
    reply_resume(token);
}

void handle_pledge_post(struct reply *out, struct request *req)
{
    struct pledge_request preq;
    struct idem idem;
    struct fault f = {0};
    if (!campaign_id_valid(req->params[0])) {
        reply_not_found(out, "campaign");
        return;
    }
    if (request_idem(&idem, out, req) != 0)
        return;
    /* A retired key signs no new receipt: refuse before anything commits. */
    if (keys_signing_check(req->api->app, &f) != 0) {
        reply_fault(out, &f);
        return;
    }
    json_t *body = request_json(out, req);
    if (body == NULL)
        return;
    if (pledge_body_parse(&preq, out, body) != 0 ||
        pledge_request_check(&preq, &f) != 0) {
        if (f.code)
            reply_fault(out, &f);
        json_decref(body);
        return;
    }
    struct pledge_call *call = calloc(1, sizeof *call);
    if (call == NULL) {
        fault_set(&f, FAULT_NOMEM, NULL, "out of memory");
        reply_fault(out, &f);
        json_decref(body);
        return;
    }
    call->body = body;
    call->preq = preq;
    memcpy(call->key, idem.key, strlen(idem.key) + 1);
    call->idem = idem;
    call->idem.key = call->key;
    memcpy(call->job.campaign_id, req->params[0], strlen(req->params[0]) + 1);
    call->job.req = &call->preq;
    call->job.idem = &call->idem;
    call->job.done = pledge_done;
    call->job.ctx = call;
    /* Suspend first, so that done() can never resume before it. */
    call->out = req->suspend(req, &call->token);
    batcher_submit(req->api->app->batcher, &call->job);
}
