#ifndef PLEDGED_HANDLERS_H
#define PLEDGED_HANDLERS_H
/* The endpoint handlers, one per route of api/routes.c. */
#include "api/http.h"

/* How long a request waits for a database connection before a 503. */
#define POOL_WAIT_MS 2000

handler_fn handle_healthz;
handler_fn handle_readyz;
handler_fn handle_campaign_get;
handler_fn handle_head_get;
handler_fn handle_keys_get;
handler_fn handle_pledge_post;
handler_fn handle_verify_post;

#endif
