#ifndef PLEDGED_TEST_SUITES_H
#define PLEDGED_TEST_SUITES_H
/* One suite per core module; tests/check_<module>.c defines <module>_suite.
 * Suites that need Postgres read PLEDGED_TEST_DATABASE_URL, which
 * scripts/test points at a throw-away cluster. */
#include <check.h>

Suite *money_suite(void);
Suite *canon_suite(void);
Suite *campaign_suite(void);
Suite *ledger_suite(void);
Suite *store_suite(void);
Suite *receipt_suite(void);
Suite *batch_suite(void);
Suite *cidr_suite(void);
Suite *payment_suite(void);
Suite *merkle_suite(void);
/* Stripe: signatures and events read PLEDGED_TEST_STRIPE_VECTORS (made by
 * Stripe's own library, tests/stripe/vectors.js); the provider talks to
 * the emulator at PLEDGED_TEST_STRIPE_API. scripts/test sets both. */
Suite *stripe_sig_suite(void);
Suite *stripe_event_suite(void);
Suite *stripe_suite(void);
Suite *stripe_transport_suite(void);
/* Outbound webhooks: signatures read PLEDGED_TEST_WEBHOOK_VECTORS (made by
 * the standardwebhooks library, tests/webhooks/vectors.js, which
 * scripts/test runs); deliveries go to a receiver the suite starts. */
Suite *webhook_sig_suite(void);
Suite *webhook_http_suite(void);

#endif
