/* The Check runner: every core suite in one binary, one summary line. */
#include "tests/suites.h"

#include <sodium.h>
#include <stdlib.h>

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    SRunner *sr = srunner_create(money_suite());
    srunner_add_suite(sr, canon_suite());
    srunner_add_suite(sr, campaign_suite());
    srunner_add_suite(sr, ledger_suite());
    srunner_add_suite(sr, store_suite());
    srunner_add_suite(sr, receipt_suite());
    srunner_add_suite(sr, batch_suite());
    srunner_add_suite(sr, cidr_suite());
    srunner_add_suite(sr, payment_suite());
    srunner_add_suite(sr, merkle_suite());
    srunner_add_suite(sr, stripe_sig_suite());
    srunner_add_suite(sr, stripe_event_suite());
    srunner_add_suite(sr, stripe_suite());
    srunner_add_suite(sr, stripe_transport_suite());
    srunner_add_suite(sr, webhook_sig_suite());
    srunner_add_suite(sr, webhook_http_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
