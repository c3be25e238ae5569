#include "api/handlers.h"

#include "api/metrics.h"
#include "api/present.h"
#include "app/app.h"
#include "app/keys.h"
#include "core/campaign.h"
#include "core/receipt.h"
#include "core/signer.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

void handle_healthz(struct reply *out, struct request *req)
{
    (void)req;
    reply_json_take(out, 200, json_pack("{s:s}", "status", "ok"));
}

void handle_readyz(struct reply *out, struct request *req)
{
    struct fault f = {0};
    if (app_ping(req->api->app, &f) == 0 &&
        keys_signing_check(req->api->app, &f) == 0)
        reply_json_take(out, 200, json_pack("{s:s}", "status", "ready"));
    else
        reply_fault(out, &f);
}

/* The campaign of the path and its totals (from memory when fresh):
 * true, or false with a 404/503 in out. */
static bool load_campaign(struct campaign *c, struct totals *t,
                          struct reply *out, struct request *req)
{
    struct fault f = {0};
    if (app_campaign_public(c, t, req->api->app, req->params[0], &f) != 0) {
        reply_fault(out, &f);
        return false;
    }
    return true;
}

void handle_campaign_get(struct reply *out, struct request *req)
{
    struct campaign c;
    struct totals t;
    if (!load_campaign(&c, &t, out, req))
        return;
    json_t *o = present_campaign(&c, &t);
    json_object_set_new(o, "card", card_settings(req->api, &c));
    reply_json_take(out, 200, o);
}

void handle_head_get(struct reply *out, struct request *req)
{
    struct fault f = {0};
    struct campaign c;
    struct totals t;
    struct signed_doc head = {0};
    if (!load_campaign(&c, &t, out, req))
        return;
    if (keys_signing_check(req->api->app, &f) == 0 &&
        receipt_head(&head, req->api->app->signer, &c, &t, &f) == 0)
        reply_json_take(out, 200, signed_doc_json(&head, "head"));
    else
        reply_fault(out, &f);
    signed_doc_release(&head);
}

struct key_list {
    json_t *keys;
    const char *log_name;
};

static int add_key(void *ctx, const struct key_info *k)
{
    struct key_list *l = ctx;
    char pk[SIGNER_PK_B64], vkey[CHECKPOINT_VKEY_MAX];
    sodium_bin2base64(pk, sizeof pk, k->public_key, 32,
                      sodium_base64_VARIANT_ORIGINAL);
    /* The same key as a signed-note verifier key, for checkpoints. */
    checkpoint_vkey(vkey, l->log_name, k->public_key);
    return json_array_append_new(
        l->keys, json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s}", "kid", k->kid,
                           "alg", "Ed25519", "public_key", pk, "created_at",
                           k->created_at, "retired_at",
                           k->retired_at[0] ? k->retired_at : NULL,
                           "note_key", vkey));
}

void handle_keys_get(struct reply *out, struct request *req)
{
    struct fault f = {0};
    json_t *keys = json_array();
    struct key_list l = {keys, req->api->app->log_name};
    if (keys_list(req->api->app, add_key, &l, &f) == 0)
        reply_json_take(out, 200, json_pack("{s:O}", "keys", keys));
    else
        reply_fault(out, &f);
    json_decref(keys);
}

void handle_verify_post(struct reply *out, struct request *req)
{
    struct fault f = {0};
    json_t *doc = request_json(out, req);
    if (doc == NULL)
        return;
    bool valid;
    char kid[SIGNER_KID_MAX];
    if (keys_verify(&valid, kid, req->api->app, doc, NULL, &f) != 0)
        reply_fault(out, &f);
    else
        reply_json_take(out, 200,
                        json_pack("{s:b, s:s?, s:s?}", "valid", valid, "kid",
                                  kid[0] ? kid : NULL, "type",
                                  receipt_doc_type(doc)));
    json_decref(doc);
}

/* ETag of a campaign's totals: its ledger position and its settings'
 * version, so a goal change also changes the tag. */
static void totals_etag(char out[64], const struct campaign *c,
                        const struct totals *t)
{
    snprintf(out, 64, "\"%lld-%lld\"", (long long)t->seq,
             (long long)c->version);
}

static bool etag_matches(const char *header, const char *etag)
{
    if (header == NULL)
        return false;
    if (strcmp(header, "*") == 0)
        return true;
    /* A list of tags, possibly weak (W/"..."). */
    const char *p = header;
    size_t n = strlen(etag);
    while ((p = strstr(p, etag)) != NULL) {
        if (p[n] == '\0' || p[n] == ',' || p[n] == ' ')
            return true;
        p += n;
    }
    return false;
}

void handle_totals_get(struct reply *out, struct request *req)
{
    struct campaign c;
    struct totals t;
    if (!load_campaign(&c, &t, out, req))
        return;
    char etag[64];
    totals_etag(etag, &c, &t);
    reply_header(out, "ETag", etag);
    reply_header(out, "Cache-Control", "public, max-age=2");
    if (etag_matches(req->header(req, "If-None-Match"), etag))
        out->status = 304;
    else
        reply_json_take(out, 200, present_totals(&c, &t));
}

/* True if the request carries "Authorization: Bearer <want>"; compared
 * through fixed-length hashes, in constant time. */
static bool bearer_is(const struct request *req, const char *want)
{
    const char *h = req->header(req, "Authorization");
    if (h == NULL || strncmp(h, "Bearer ", 7) != 0)
        return false;
    unsigned char a[32], b[32];
    crypto_generichash(a, sizeof a, (const unsigned char *)h + 7,
                       strlen(h + 7), NULL, 0);
    crypto_generichash(b, sizeof b, (const unsigned char *)want, strlen(want),
                       NULL, 0);
    return sodium_memcmp(a, b, sizeof a) == 0;
}

void handle_metrics(struct reply *out, struct request *req)
{
    /* Not public: off without PLEDGED_METRICS_TOKEN, else behind it. */
    const char *token = req->api->metrics_token;
    if (token == NULL || token[0] == '\0') {
        reply_error(out, 404, "not_found",
                    NULL, "metrics are off (set PLEDGED_METRICS_TOKEN)");
        return;
    }
    if (!bearer_is(req, token)) {
        reply_header(out, "WWW-Authenticate", "Bearer realm=\"pledged metrics\"");
        reply_error(out, 401, "unauthorized", NULL,
                    "metrics need Authorization: Bearer <PLEDGED_METRICS_TOKEN>");
        return;
    }
    out->status = 200;
    out->content_type = "text/plain; version=0.0.4; charset=utf-8";
    metrics_render(&out->body, req->api->app);
}
