/* The money rules of core/payment.h and the ledger kinds they append:
 * each kind moves exactly one total, payment entries hash their own
 * fields, and old kinds hash as they always did. */
#include "core/ledger.h"
#include "core/payment.h"
#include "tests/suites.h"

#include <string.h>

static struct pledge_money fresh(int64_t promised)
{
    struct pledge_money m;
    memset(&m, 0, sizeof m);
    m.promised = promised;
    return m;
}

START_TEST(each_kind_moves_one_total)
{
    struct totals t;
    memset(&t, 0, sizeof t);
    struct ledger_entry e;
    const struct {
        enum entry_kind kind;
        int64_t amount;
        int64_t raised, collected, supporters;
    } steps[] = {
        {ENTRY_PLEDGE, 2500, 2500, 0, 1},
        {ENTRY_PAYMENT, 2500, 2500, 2500, 1},
        {ENTRY_PLEDGE, 1000, 3500, 2500, 2},
        {ENTRY_VOID, -1000, 2500, 2500, 1},
        {ENTRY_PAYMENT_REVERSAL, -2500, 2500, 0, 1},
        {ENTRY_REFUND, -2500, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
        memset(&e, 0, sizeof e);
        strcpy(e.campaign_id, "c");
        strcpy(e.pledge_id, "00000000-0000-4000-8000-000000000001");
        strcpy(e.currency, "EUR");
        e.kind = steps[i].kind;
        e.amount_minor = steps[i].amount;
        if (ledger_kind_collects(e.kind)) {
            strcpy(e.provider, "offline");
            strcpy(e.reference, "ref-1");
            strcpy(e.method, "cash");
            if (e.kind == ENTRY_PAYMENT_REVERSAL)
                strcpy(e.reason, "refund");
        }
        ck_assert_int_eq(ledger_next(&e, &t, 1700000000000000, NULL), 0);
        ck_assert_int_eq(t.raised_minor, steps[i].raised);
        ck_assert_int_eq(t.collected_minor, steps[i].collected);
        ck_assert_int_eq(t.supporters, steps[i].supporters);
    }
    /* A kind's sign is enforced. */
    e.kind = ENTRY_PAYMENT;
    e.amount_minor = -1;
    ck_assert_int_eq(ledger_next(&e, &t, 1700000000000000, NULL),
                     FAULT_INVALID);
}
END_TEST

START_TEST(payment_fields_are_hashed_and_old_kinds_hash_as_before)
{
    struct ledger_entry e;
    memset(&e, 0, sizeof e);
    strcpy(e.campaign_id, "c");
    strcpy(e.pledge_id, "00000000-0000-4000-8000-000000000001");
    strcpy(e.currency, "EUR");
    strcpy(e.created_at, "2026-11-25T09:41:07.123456Z");
    e.seq = 2;
    e.kind = ENTRY_PAYMENT;
    e.amount_minor = 2500;
    strcpy(e.provider, "stripe");
    strcpy(e.reference, "ch_1");
    strcpy(e.method, "card");
    unsigned char a[32], b[32];
    ck_assert_int_eq(ledger_hash(a, &e, NULL), 0);
    strcpy(e.reference, "ch_2");
    ck_assert_int_eq(ledger_hash(b, &e, NULL), 0);
    ck_assert(memcmp(a, b, 32) != 0); /* the reference is part of it */
    /* A pledge entry ignores the payment fields entirely. */
    e.kind = ENTRY_PLEDGE;
    ck_assert_int_eq(ledger_hash(a, &e, NULL), 0);
    memset(e.provider, 0, sizeof e.provider);
    memset(e.reference, 0, sizeof e.reference);
    memset(e.method, 0, sizeof e.method);
    ck_assert_int_eq(ledger_hash(b, &e, NULL), 0);
    ck_assert(memcmp(a, b, 32) == 0);
}
END_TEST

START_TEST(refund_void_and_reversal_rules)
{
    struct money_move mv[MONEY_MOVES_MAX];
    size_t n;
    struct pledge_money m = fresh(2500);
    ck_assert_str_eq(payment_status(&m), "pledged");
    /* Unpaid: a refund reverses the promise only; the sweep may void. */
    ck_assert_int_eq(payment_refund(mv, &n, &m, "r1", NULL), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(mv[0].kind, ENTRY_REFUND);
    ck_assert_int_eq(mv[0].amount_minor, -2500);
    payment_void(mv, &n, &m);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(mv[0].kind, ENTRY_VOID);
    /* Paid: money goes back first, then the promise; no void. */
    m.paid = 2500, m.payments = 1;
    strcpy(m.provider, "offline");
    strcpy(m.method, "cash");
    ck_assert_str_eq(payment_status(&m), "paid");
    payment_void(mv, &n, &m);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(payment_refund(mv, &n, &m, "r1", NULL), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(mv[0].kind, ENTRY_PAYMENT_REVERSAL);
    ck_assert_int_eq(mv[0].amount_minor, -2500);
    ck_assert_str_eq(mv[0].reason, "refund");
    ck_assert_int_eq(mv[1].kind, ENTRY_REFUND);
    /* Never more back than was paid. */
    ck_assert_int_eq(payment_reverse(mv, &n, &m, 2501, "offline", "x",
                                     "dispute", NULL),
                     FAULT_CONFLICT);
    /* Refunded: refused again. Voided and unpaid: nothing to refund. */
    m.refunded = true;
    ck_assert_int_eq(payment_refund(mv, &n, &m, "r2", NULL), FAULT_CONFLICT);
    struct pledge_money v = fresh(1000);
    v.voided = true;
    ck_assert_str_eq(payment_status(&v), "void");
    ck_assert_int_eq(payment_refund(mv, &n, &v, "r3", NULL), FAULT_CONFLICT);
    payment_void(mv, &n, &v);
    ck_assert_uint_eq(n, 0);
    /* Money that arrives for a voided promise is counted. */
    ck_assert_int_eq(payment_receive(mv, &n, &v, 1000, "offline", "x", "cash",
                                     NULL),
                     0);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(payment_receive(mv, &n, &v, 1000, "Stripe!", "x", "card",
                                     NULL),
                     FAULT_INVALID);
}
END_TEST

Suite *payment_suite(void)
{
    Suite *s = suite_create("payment");
    TCase *tc = tcase_create("payment");
    tcase_add_test(tc, each_kind_moves_one_total);
    tcase_add_test(tc, payment_fields_are_hashed_and_old_kinds_hash_as_before);
    tcase_add_test(tc, refund_void_and_reversal_rules);
    suite_add_tcase(s, tc);
    return s;
}
