#ifndef PLEDGED_HANDLERS_H
#define PLEDGED_HANDLERS_H
/* The endpoint handlers, one per route of api/routes.c. */
#include "api/http.h"
#include "core/campaign.h"
#include "core/token.h"

handler_fn handle_healthz;
handler_fn handle_readyz;
handler_fn handle_campaign_get;
handler_fn handle_head_get;
handler_fn handle_keys_get;
handler_fn handle_pledge_post;
handler_fn handle_verify_post;
handler_fn handle_totals_get;
handler_fn handle_metrics;
handler_fn handle_admin_campaigns;
handler_fn handle_admin_campaign_create;
handler_fn handle_admin_campaign_update;
handler_fn handle_admin_pledges;
handler_fn handle_admin_refund;
handler_fn handle_admin_payment_post;
handler_fn handle_admin_audit;
handler_fn handle_admin_page;
handler_fn handle_export_csv;
handler_fn handle_export_jsonl;
handler_fn handle_export_manifest;
handler_fn handle_admin_js;
handler_fn handle_admin_asset;
handler_fn handle_index;
handler_fn handle_widget_js;
handler_fn handle_widget_versioned;
handler_fn handle_widget_strings;
handler_fn handle_embed;
handler_fn handle_card_post;
handler_fn handle_stripe_webhook;

handler_fn handle_admin_events;
handler_fn handle_admin_webhooks;
handler_fn handle_admin_webhook_create;
handler_fn handle_admin_webhook_replay;
handler_fn handle_admin_webhook_delete;
handler_fn handle_admin_tokens;
handler_fn handle_admin_token_create;
handler_fn handle_admin_token_revoke;
handler_fn handle_admin_events_stream;
handler_fn handle_admin_pledge_search;
handler_fn handle_admin_series;
handler_fn handle_admin_sources;
handler_fn handle_supporters_get;
handler_fn handle_admin_moderation;

/* A pledge as staff see it: with the donor's private fields, refunded and
 * payment_status (api/admin.c). */
struct pledge_row;
json_t *admin_pledge(const struct pledge_row *r);

/* Parses a query integer in [lo, hi]; absent gives dflt (api/admin.c). */
bool query_int(int64_t *out, const struct request *req, const char *name,
               int64_t lo, int64_t hi, int64_t dflt);

/* The campaign's "card" object for the widget (api/stripe.c): the
 * publishable key and Stripe.js's address, or JSON null. */
json_t *card_settings(const struct api *api, const struct campaign *c);

/* Applies a campaign's money fields present in body (provider,
 * shown_total, payment_link, pledge_ttl_s) onto c; with create, a
 * provider without shown_total shows collected money. False with a
 * 400/422 in out. */
bool apply_money_fields(struct campaign *c, struct reply *out, json_t *body,
                        bool create);

/* Checks the request's Bearer token: true and name set, or false with a
 * 401 (or 429 after repeated failures from one address) in out. */
bool require_admin(char name[TOKEN_NAME_MAX + 1], struct reply *out,
                   struct request *req);

/* Proofs (api/proofs.c, docs/VERIFY.md). */
void handle_checkpoint_get(struct reply *out, struct request *req);
void handle_proof_inclusion(struct reply *out, struct request *req);
void handle_proof_consistency(struct reply *out, struct request *req);
void handle_tile_get(struct reply *out, struct request *req);
void handle_verify_js(struct reply *out, struct request *req);

#endif
