/* Webhook events: the real-shaped ones of tests/stripe/vectors.js (the
 * emulator's charges, refunds and disputes in Stripe's event envelope, and
 * Checkout Sessions in the documented shape), then garbage of every kind,
 * which must be refused without a crash. */
#include "core/stripe_event.h"
#include "tests/suites.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *vectors;

/* The vector event named name: its payload text and its pledge id. */
static const char *event_text(const char *name, const char **pledge_id)
{
    if (vectors == NULL) {
        const char *path = getenv("PLEDGED_TEST_STRIPE_VECTORS");
        vectors = path ? json_load_file(path, 0, NULL) : NULL;
    }
    ck_assert_msg(vectors != NULL, "PLEDGED_TEST_STRIPE_VECTORS is unset or "
                                   "unreadable: run through scripts/test");
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(vectors, "events"), i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "name")), name))
            continue;
        if (pledge_id)
            *pledge_id = json_string_value(json_object_get(e, "pledge_id"));
        return json_string_value(json_object_get(e, "payload"));
    }
    ck_abort_msg("no vector event %s", name);
    return NULL;
}

static void parse_ok(struct stripe_event *ev, const char *text)
{
    struct fault f = {0};
    int rc = stripe_event_parse(ev, text, strlen(text), &f);
    ck_assert_msg(rc == 0, "refused: %s (%s)", f.message, f.field);
}

static int parse_fails(const char *text, const char *field)
{
    struct stripe_event ev;
    struct fault f = {0};
    int rc = stripe_event_parse(&ev, text, strlen(text), &f);
    ck_assert_msg(rc == FAULT_INVALID, "accepted: %s", text);
    if (field)
        ck_assert_msg(strcmp(f.field, field) == 0, "field %s, expected %s",
                      f.field, field);
    return rc;
}

START_TEST(charge_succeeded_reads_the_charge_and_our_pledge_id)
{
    const char *pledge;
    struct stripe_event ev;
    parse_ok(&ev, event_text("charge.succeeded", &pledge));
    ck_assert_int_eq(ev.kind, STRIPE_EVENT_CHARGE);
    ck_assert_str_eq(ev.type, "charge.succeeded");
    ck_assert(strncmp(ev.id, "evt_", 4) == 0);
    ck_assert_int_gt(ev.created, 1500000000);
    ck_assert(!ev.livemode);
    ck_assert(strncmp(ev.charge.id, "ch_", 3) == 0);
    ck_assert_int_eq(ev.charge.amount, 2500);
    ck_assert_int_eq(ev.charge.amount_refunded, 0);
    ck_assert_str_eq(ev.charge.currency, "USD");
    ck_assert(ev.charge.paid && ev.charge.captured && !ev.charge.refunded);
    ck_assert_str_eq(ev.charge.status, "succeeded");
    ck_assert_str_eq(ev.charge.method, "card");
    ck_assert_str_eq(ev.charge.failure_code, "");
    ck_assert_str_eq(ev.charge.pledge_id, pledge);
    ck_assert_str_eq(ev.session.id, "");
    ck_assert_str_eq(ev.dispute.id, "");
}
END_TEST

START_TEST(charge_captured_later_in_another_currency)
{
    struct stripe_event ev;
    parse_ok(&ev, event_text("charge.captured", NULL));
    ck_assert_int_eq(ev.kind, STRIPE_EVENT_CHARGE);
    ck_assert_int_eq(ev.charge.amount, 1000);
    ck_assert_str_eq(ev.charge.currency, "EUR");
    ck_assert(ev.charge.captured && ev.charge.paid);
}
END_TEST

START_TEST(charge_refunded_carries_the_amount_refunded)
{
    struct stripe_event ev;
    parse_ok(&ev, event_text("charge.refunded", NULL));
    ck_assert_int_eq(ev.kind, STRIPE_EVENT_CHARGE);
    ck_assert_int_eq(ev.charge.amount, 2500);
    ck_assert_int_eq(ev.charge.amount_refunded, 500);
    ck_assert(!ev.charge.refunded); /* partly */
}
END_TEST

START_TEST(charge_failed_carries_the_failure_code)
{
    const char *pledge;
    struct stripe_event ev;
    parse_ok(&ev, event_text("charge.failed", &pledge));
    ck_assert_int_eq(ev.kind, STRIPE_EVENT_CHARGE);
    ck_assert(!ev.charge.paid);
    ck_assert_str_eq(ev.charge.status, "failed");
    ck_assert_str_eq(ev.charge.failure_code, "card_declined");
    ck_assert_str_eq(ev.charge.pledge_id, pledge);
}
END_TEST

START_TEST(dispute_created_is_a_dispute_not_a_charge)
{
    struct stripe_event ev;
    parse_ok(&ev, event_text("charge.dispute.created", NULL));
    ck_assert_int_eq(ev.kind, STRIPE_EVENT_DISPUTE);
    ck_assert(strncmp(ev.dispute.id, "dp_", 3) == 0);
    ck_assert(strncmp(ev.dispute.charge, "ch_", 3) == 0);
    ck_assert_int_eq(ev.dispute.amount, 4200);
    ck_assert_str_eq(ev.dispute.currency, "USD");
    ck_assert_str_eq(ev.dispute.reason, "fraudulent");
    ck_assert_str_eq(ev.dispute.status, "needs_response");
    ck_assert_str_eq(ev.charge.id, "");
}
END_TEST

START_TEST(checkout_session_completed_names_our_pledge)
{
    const char *pledge;
    struct stripe_event ev;
    parse_ok(&ev, event_text("checkout.session.completed", &pledge));
    ck_assert_int_eq(ev.kind, STRIPE_EVENT_SESSION);
    ck_assert(strncmp(ev.session.id, "cs_test_", 8) == 0);
    ck_assert_str_eq(ev.session.client_reference_id, pledge);
    ck_assert_int_eq(ev.session.amount_total, 5000);
    ck_assert_str_eq(ev.session.currency, "USD");
    ck_assert_str_eq(ev.session.payment_status, "paid");
    ck_assert_str_eq(ev.session.status, "complete");
    ck_assert(strncmp(ev.session.payment_intent, "pi_", 3) == 0);
}
END_TEST

START_TEST(checkout_session_expired_is_unpaid)
{
    struct stripe_event ev;
    parse_ok(&ev, event_text("checkout.session.expired", NULL));
    ck_assert_int_eq(ev.kind, STRIPE_EVENT_SESSION);
    ck_assert_str_eq(ev.session.payment_status, "unpaid");
    ck_assert_str_eq(ev.session.status, "expired");
    ck_assert_str_eq(ev.session.payment_intent, "");
}
END_TEST

START_TEST(unknown_type_reads_the_envelope_only)
{
    struct stripe_event ev;
    parse_ok(&ev, event_text("customer.created", NULL));
    ck_assert_int_eq(ev.kind, STRIPE_EVENT_OTHER);
    ck_assert_str_eq(ev.type, "customer.created");
    ck_assert_str_eq(ev.charge.id, "");
    /* Whatever its data holds, or without data at all. */
    parse_ok(&ev, "{\"object\":\"event\",\"id\":\"evt_1\",\"type\":"
                  "\"payment_intent.succeeded\",\"created\":1,\"data\":7}");
    ck_assert_int_eq(ev.kind, STRIPE_EVENT_OTHER);
    parse_ok(&ev,
             "{\"object\":\"event\",\"id\":\"evt_1\",\"type\":"
             "\"charge.refund.updated\",\"created\":1,\"data\":{\"object\":"
             "{\"object\":\"refund\",\"id\":\"re_1\"}}}");
    ck_assert_int_eq(ev.kind, STRIPE_EVENT_OTHER);
    ck_assert_str_eq(ev.type, "charge.refund.updated");
}
END_TEST

#define ENV "{\"object\":\"event\",\"id\":\"evt_1\",\"created\":1,"
#define CHARGE(type, fields)                                                   \
    ENV "\"type\":\"" type "\",\"data\":{\"object\":{\"object\":\"charge\","   \
        "\"id\":\"ch_1\"," fields "}}}"
#define OK_FIELDS                                                              \
    "\"amount\":100,\"amount_refunded\":0,\"currency\":\"usd\",\"paid\":"      \
    "true,\"captured\":true"

START_TEST(envelope_garbage_is_refused)
{
    parse_fails("", NULL);
    parse_fails("not json", NULL);
    parse_fails("[]", NULL);
    parse_fails("null", NULL);
    parse_fails("{}", "object");
    parse_fails("{\"object\":\"charge\",\"id\":\"evt_1\",\"type\":\"x\","
                "\"created\":1}",
                "object");
    parse_fails("{\"object\":\"event\",\"type\":\"x\",\"created\":1}", "id");
    parse_fails("{\"object\":\"event\",\"id\":7,\"type\":\"x\",\"created\":1}",
                "id");
    parse_fails("{\"object\":\"event\",\"id\":\"evt 1\",\"type\":\"x\","
                "\"created\":1}",
                "id");
    parse_fails(ENV "\"type\":\"Charge.Succeeded\"}", "type");
    parse_fails(ENV "\"type\":\"\"}", "type");
    parse_fails(ENV "\"type\":[]}", "type");
    parse_fails("{\"object\":\"event\",\"id\":\"evt_1\",\"type\":\"x\","
                "\"created\":\"1\"}",
                "created");
    parse_fails("{\"object\":\"event\",\"id\":\"evt_1\",\"type\":\"x\","
                "\"created\":1.5}",
                "created");
    parse_fails(ENV "\"type\":\"x\",\"livemode\":\"false\"}", "livemode");
    /* Duplicate keys: which one would count? */
    parse_fails(ENV "\"type\":\"x\",\"type\":\"y\"}", NULL);
    /* A NUL inside a string (jansson refuses it already). */
    parse_fails("{\"object\":\"event\",\"id\":\"evt_1\\u0000x\",\"type\":"
                "\"x\",\"created\":1}",
                NULL);
}
END_TEST

START_TEST(charge_fields_of_the_wrong_type_are_refused)
{
    struct stripe_event ev;
    parse_ok(&ev, CHARGE("charge.succeeded", OK_FIELDS));
    ck_assert_str_eq(ev.charge.currency, "USD");
    parse_fails(ENV "\"type\":\"charge.succeeded\"}", "data");
    parse_fails(ENV "\"type\":\"charge.succeeded\",\"data\":{}}",
                "data.object");
    parse_fails(ENV "\"type\":\"charge.succeeded\",\"data\":{\"object\":"
                    "{\"object\":\"customer\",\"id\":\"cus_1\"}}}",
                "data.object.object");
    parse_fails(ENV "\"type\":\"charge.dispute.created\",\"data\":{\"object\":"
                    "{\"object\":\"charge\",\"id\":\"ch_1\"," OK_FIELDS "}}}",
                "data.object.object");
    const char *bad[][2] = {
        {"\"amount\":\"100\",\"amount_refunded\":0,\"currency\":\"usd\","
         "\"paid\":true,\"captured\":true",
         "data.object.amount"},
        {"\"amount\":-1,\"amount_refunded\":0,\"currency\":\"usd\","
         "\"paid\":true,\"captured\":true",
         "data.object.amount"},
        {"\"amount\":1.0,\"amount_refunded\":0,\"currency\":\"usd\","
         "\"paid\":true,\"captured\":true",
         "data.object.amount"},
        {"\"amount\":9007199254740992,\"amount_refunded\":0,\"currency\":"
         "\"usd\",\"paid\":true,\"captured\":true",
         "data.object.amount"},
        {"\"amount_refunded\":0,\"currency\":\"usd\",\"paid\":true,"
         "\"captured\":true",
         "data.object.amount"},
        {"\"amount\":100,\"amount_refunded\":null,\"currency\":\"usd\","
         "\"paid\":true,\"captured\":true",
         "data.object.amount_refunded"},
        {"\"amount\":100,\"amount_refunded\":0,\"currency\":\"us\","
         "\"paid\":true,\"captured\":true",
         "data.object.currency"},
        {"\"amount\":100,\"amount_refunded\":0,\"currency\":\"u$d\","
         "\"paid\":true,\"captured\":true",
         "data.object.currency"},
        {"\"amount\":100,\"amount_refunded\":0,\"currency\":null,"
         "\"paid\":true,\"captured\":true",
         "data.object.currency"},
        {"\"amount\":100,\"amount_refunded\":0,\"currency\":\"usd\","
         "\"paid\":\"true\",\"captured\":true",
         "data.object.paid"},
        {"\"amount\":100,\"amount_refunded\":0,\"currency\":\"usd\","
         "\"paid\":true",
         "data.object.captured"},
        {OK_FIELDS ",\"metadata\":[]", "data.object.metadata"},
        {OK_FIELDS ",\"metadata\":{\"pledge_id\":42}",
         "data.object.metadata.pledge_id"},
        {OK_FIELDS ",\"payment_method_details\":{\"type\":1}",
         "data.object.payment_method_details.type"},
        {OK_FIELDS ",\"failure_code\":\"card declined\"",
         "data.object.failure_code"},
        {OK_FIELDS ",\"customer\":{\"id\":\"cus_1\"}", "data.object.customer"},
    };
    char text[1024];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(text, sizeof text,
                 ENV "\"type\":\"charge.succeeded\",\"data\":{\"object\":{"
                     "\"object\":\"charge\",\"id\":\"ch_1\",%s}}}",
                 bad[i][0]);
        parse_fails(text, bad[i][1]);
    }
}
END_TEST

START_TEST(session_and_dispute_fields_are_checked)
{
    struct stripe_event ev;
    const char *session =
        ENV "\"type\":\"checkout.session.completed\",\"data\":{\"object\":{"
            "\"object\":\"checkout.session\",\"id\":\"cs_1\","
            "\"payment_status\":\"paid\",\"amount_total\":null,"
            "\"currency\":null,\"client_reference_id\":null}}}";
    parse_ok(&ev, session);
    ck_assert_int_eq(ev.session.amount_total, -1);
    ck_assert_str_eq(ev.session.currency, "");
    ck_assert_str_eq(ev.session.client_reference_id, "");
    parse_fails(ENV "\"type\":\"checkout.session.completed\",\"data\":{"
                    "\"object\":{\"object\":\"checkout.session\",\"id\":"
                    "\"cs_1\"}}}",
                "data.object.payment_status");
    parse_fails(ENV "\"type\":\"checkout.session.completed\",\"data\":{"
                    "\"object\":{\"object\":\"checkout.session\",\"id\":"
                    "\"cs_1\",\"payment_status\":\"paid\","
                    "\"client_reference_id\":5}}}",
                "data.object.client_reference_id");
    parse_fails(ENV "\"type\":\"charge.dispute.created\",\"data\":{"
                    "\"object\":{\"object\":\"dispute\",\"id\":\"dp_1\","
                    "\"amount\":1,\"currency\":\"usd\"}}}",
                "data.object.charge");
}
END_TEST

/* Every prefix of a real event, and every one-byte change of it, is
 * parsed or refused, never a crash (ASan and UBSan watch in make asan). */
START_TEST(truncated_and_mutated_events_never_crash)
{
    const char *text = event_text("charge.refunded", NULL);
    size_t n = strlen(text);
    char *copy = malloc(n + 1);
    struct stripe_event ev;
    for (size_t cut = 0; cut < n; cut++) {
        memcpy(copy, text, cut);
        copy[cut] = '\0';
        ck_assert_int_ne(stripe_event_parse(&ev, copy, cut, NULL), 0);
    }
    unsigned accepted = 0;
    for (int round = 0; round < 2000; round++) {
        memcpy(copy, text, n + 1);
        size_t at = randombytes_uniform((uint32_t)n);
        copy[at] = (char)randombytes_uniform(256);
        accepted += stripe_event_parse(&ev, copy, n, NULL) == 0;
    }
    ck_assert_uint_gt(accepted, 0); /* changes to unread fields are fine */
    free(copy);
}
END_TEST

Suite *stripe_event_suite(void)
{
    Suite *s = suite_create("stripe_event");
    TCase *tc = tcase_create("stripe_event");
    tcase_add_test(tc, charge_succeeded_reads_the_charge_and_our_pledge_id);
    tcase_add_test(tc, charge_captured_later_in_another_currency);
    tcase_add_test(tc, charge_refunded_carries_the_amount_refunded);
    tcase_add_test(tc, charge_failed_carries_the_failure_code);
    tcase_add_test(tc, dispute_created_is_a_dispute_not_a_charge);
    tcase_add_test(tc, checkout_session_completed_names_our_pledge);
    tcase_add_test(tc, checkout_session_expired_is_unpaid);
    tcase_add_test(tc, unknown_type_reads_the_envelope_only);
    tcase_add_test(tc, envelope_garbage_is_refused);
    tcase_add_test(tc, charge_fields_of_the_wrong_type_are_refused);
    tcase_add_test(tc, session_and_dispute_fields_are_checked);
    tcase_add_test(tc, truncated_and_mutated_events_never_crash);
    suite_add_tcase(s, tc);
    return s;
}
