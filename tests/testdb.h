#ifndef PLEDGED_TESTDB_H
#define PLEDGED_TESTDB_H
/* Helpers for suites that use the real Postgres of scripts/test. */
#include "core/campaign.h"
#include "store/store.h"

#include <libpq-fe.h>

/* A store on PLEDGED_TEST_DATABASE_URL (the test fails without it). */
struct store *testdb_store(void);

/* A raw superuser connection, for what the product never does: poking
 * the tables behind the store's back. */
PGconn *testdb_raw(void);

/* Publishes a test signing key as an already retired one: receipts it
 * signs verify, and the server's own key stays the current one (a serve
 * refuses a retired key). */
void testdb_key(const char *kid, const unsigned char pk[32]);

/* Creates a fresh open campaign "<prefix>-<random>" with USD, goal 500000,
 * tiers [0, 250000, 500000] and default bounds; its id goes to c->id. */
void testdb_campaign(struct campaign *c, struct store *s, const char *prefix);

/* A pledge request for amount with no donor fields. */
struct pledge_request testdb_request(int64_t amount_minor);

/* Walks the campaign's chain and totals through ledger_check; returns the
 * number of problems (0: the chain verifies and totals equal the ledger). */
size_t testdb_audit(struct ledger_check *check, struct store *s,
                    const char *campaign_id);

#endif
