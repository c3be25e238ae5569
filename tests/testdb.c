#include "tests/testdb.h"

#include <check.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *url(void)
{
    const char *u = getenv("PLEDGED_TEST_DATABASE_URL");
    ck_assert_msg(u != NULL, "PLEDGED_TEST_DATABASE_URL is not set");
    return u;
}

struct store *testdb_store(void)
{
    struct store *s = store_new(url());
    ck_assert_ptr_nonnull(s);
    struct fault f = {0};
    ck_assert_msg(store_ping(s, &f) == 0, "database: %s", f.message);
    return s;
}

PGconn *testdb_raw(void)
{
    PGconn *c = PQconnectdb(url());
    ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
    return c;
}

void testdb_key(const char *kid, const unsigned char pk[32])
{
    char hex[2 + 64 + 1] = "\\x";
    sodium_bin2hex(hex + 2, 65, pk, 32);
    const char *params[2] = {kid, hex};
    PGconn *db = testdb_raw();
    PGresult *r = PQexecParams(db,
                               "INSERT INTO signing_keys (kid, public_key, "
                               "retired_at) VALUES ($1, $2, now())",
                               2, NULL, params, NULL, NULL, 0);
    ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK, "%s",
                  PQerrorMessage(db));
    PQclear(r);
    PQfinish(db);
}

void testdb_campaign(struct campaign *c, struct store *s, const char *prefix)
{
    campaign_defaults(c);
    snprintf(c->id, sizeof c->id, "%s-%08x", prefix, randombytes_random());
    snprintf(c->title, sizeof c->title, "Test campaign %s", c->id);
    memcpy(c->currency, "USD", 4);
    c->goal_minor = 500000;
    c->tiers[0] = 0;
    c->tiers[1] = 250000;
    c->tiers[2] = 500000;
    c->ntiers = 3;
    struct fault f = {0};
    ck_assert_int_eq(campaign_validate(c, &f), 0);
    ck_assert_msg(store_campaign_create(s, c, NULL, NULL, &f) == 0, "%s", f.message);
    struct totals t;
    ck_assert_int_eq(store_campaign_get(c, &t, s, c->id, &f), 0);
}

struct pledge_request testdb_request(int64_t amount_minor)
{
    return (struct pledge_request){.amount_minor = amount_minor};
}

static int add(void *ctx, const struct ledger_entry *e)
{
    ledger_check_add(ctx, e);
    return 0;
}

size_t testdb_audit(struct ledger_check *check, struct store *s,
                    const char *campaign_id)
{
    struct totals t;
    struct fault f = {0};
    ledger_check_init(check, campaign_id);
    ck_assert_msg(store_ledger_walk(&t, s, campaign_id, add, check, &f) == 0,
                  "walk: %s", f.message);
    ledger_check_totals(check, &t);
    unsigned char nodes[32];
    int64_t count;
    ck_assert_msg(store_merkle_nodes_digest(nodes, &count, s, campaign_id,
                                            check->entries, &f) == 0,
                  "tile nodes: %s", f.message);
    ledger_check_nodes(check, nodes, count);
    return check->nproblems;
}
