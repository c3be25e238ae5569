#include "core/payment.h"

#include <stdio.h>
#include <string.h>

const char *payment_status(const struct pledge_money *m)
{
    if (m->refunded)
        return "refunded";
    if (m->disputed)
        return "disputed";
    if (m->paid > 0)
        return "paid";
    if (m->voided)
        return "void";
    return "pledged";
}

bool payment_word_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > LEDGER_WORD_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_'))
            return false;
    return true;
}

bool payment_reference_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > LEDGER_REF_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x21 || s[i] > 0x7e)
            return false;
    return true;
}

static void move(struct money_move *mv, enum entry_kind kind, int64_t amount,
                 const char *provider, const char *reference,
                 const char *method, const char *reason)
{
    memset(mv, 0, sizeof *mv);
    mv->kind = kind;
    mv->amount_minor = amount;
    snprintf(mv->provider, sizeof mv->provider, "%s", provider);
    snprintf(mv->reference, sizeof mv->reference, "%s", reference);
    snprintf(mv->method, sizeof mv->method, "%s", method);
    snprintf(mv->reason, sizeof mv->reason, "%s", reason);
}

static int check_names(const char *provider, const char *reference,
                       const char *method, struct fault *f)
{
    if (!payment_word_valid(provider))
        return fault_set(f, FAULT_INVALID, "provider",
                         "provider is 1 to 15 of [a-z_]");
    if (!payment_reference_valid(reference))
        return fault_set(f, FAULT_INVALID, "reference",
                         "reference is 1 to %d printable ASCII characters",
                         LEDGER_REF_MAX);
    if (!payment_word_valid(method))
        return fault_set(f, FAULT_INVALID, "method",
                         "method is 1 to 15 of [a-z_]");
    return 0;
}

int payment_receive(struct money_move *out, size_t *n,
                    const struct pledge_money *m, int64_t amount,
                    const char *provider, const char *reference,
                    const char *method, struct fault *f)
{
    (void)m;
    *n = 0;
    if (amount <= 0)
        return fault_set(f, FAULT_INVALID, "amount_minor",
                         "a payment's amount_minor must be positive");
    int rc = check_names(provider, reference, method, f);
    if (rc)
        return rc;
    move(&out[0], ENTRY_PAYMENT, amount, provider, reference, method, "");
    *n = 1;
    return 0;
}

int payment_reverse(struct money_move *out, size_t *n,
                    const struct pledge_money *m, int64_t amount,
                    const char *provider, const char *reference,
                    const char *reason, struct fault *f)
{
    *n = 0;
    if (amount <= 0)
        return fault_set(f, FAULT_INVALID, "amount_minor",
                         "the amount given back must be positive");
    if (amount > m->paid)
        return fault_set(f, FAULT_CONFLICT, "amount_minor",
                         "%lld given back, but the pledge holds %lld",
                         (long long)amount, (long long)m->paid);
    if (strcmp(reason, "refund") != 0 && strcmp(reason, "dispute") != 0)
        return fault_set(f, FAULT_INVALID, "reason",
                         "reason is refund or dispute");
    const char *method = m->method[0] ? m->method : "card";
    int rc = check_names(provider, reference, method, f);
    if (rc)
        return rc;
    move(&out[0], ENTRY_PAYMENT_REVERSAL, -amount, provider, reference, method,
         reason);
    *n = 1;
    return 0;
}

int payment_reverse_to(struct money_move *out, size_t *n,
                       const struct pledge_money *m, int64_t held,
                       const char *provider, const char *reference,
                       const char *reason, struct fault *f)
{
    *n = 0;
    if (held < 0)
        return fault_set(f, FAULT_INVALID, "amount_minor",
                         "what is held cannot be negative");
    int64_t amount = m->ref_held - held;
    if (amount > m->paid)
        amount = m->paid;
    if (amount <= 0)
        return 0;
    return payment_reverse(out, n, m, amount, provider, reference, reason, f);
}

int payment_refund(struct money_move *out, size_t *n,
                   const struct pledge_money *m, const char *reversal_ref,
                   struct fault *f)
{
    *n = 0;
    if (m->refunded)
        return fault_set(f, FAULT_CONFLICT, NULL,
                         "the pledge is already refunded");
    if (m->paid > 0) {
        int rc = payment_reverse(out, n, m, m->paid, m->provider,
                                 reversal_ref, "refund", f);
        if (rc)
            return rc;
    }
    /* A voided promise was withdrawn already: only money held goes back. */
    if (!m->voided) {
        move(&out[*n], ENTRY_REFUND, -m->promised, "", "", "", "");
        (*n)++;
    }
    if (*n == 0)
        return fault_set(f, FAULT_CONFLICT, NULL,
                         "the pledge was voided unpaid: nothing to refund");
    return 0;
}

void payment_void(struct money_move *out, size_t *n,
                  const struct pledge_money *m)
{
    *n = 0;
    if (m->voided || m->refunded || m->paid > 0 || m->payments > 0)
        return;
    move(&out[0], ENTRY_VOID, -m->promised, "", "", "", "");
    *n = 1;
}
