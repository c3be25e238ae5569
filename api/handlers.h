#ifndef PLEDGED_HANDLERS_H
#define PLEDGED_HANDLERS_H
/* The endpoint handlers, one per route of api/routes.c. */
#include "api/http.h"

handler_fn handle_healthz;
handler_fn handle_readyz;
handler_fn handle_campaign_get;

#endif
