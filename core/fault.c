#include "core/fault.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int fault_set(struct fault *f, int code, const char *field, const char *fmt,
              ...)
{
    if (f == NULL || f->code != 0)
        return code;
    f->code = code;
    snprintf(f->field, sizeof f->field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->message, sizeof f->message, fmt, ap);
    va_end(ap);
    return code;
}

void fault_context(struct fault *f, const char *fmt, ...)
{
    if (f == NULL || f->code == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->context, sizeof f->context, fmt, ap);
    va_end(ap);
}

void fault_hint(struct fault *f, const char *fmt, ...)
{
    if (f == NULL || f->code == 0 || f->hint[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->hint, sizeof f->hint, fmt, ap);
    va_end(ap);
}

const char *fault_name(int code)
{
    switch (code) {
    case FAULT_OK: return "ok";
    case FAULT_INVALID: return "invalid_value";
    case FAULT_AMOUNT_RANGE: return "amount_out_of_range";
    case FAULT_CURRENCY: return "currency_mismatch";
    case FAULT_NOT_FOUND: return "not_found";
    case FAULT_CLOSED: return "campaign_closed";
    case FAULT_IDEM_REUSED: return "idempotency_key_reused";
    case FAULT_IDEM_IN_FLIGHT: return "idempotency_key_in_flight";
    case FAULT_CONFLICT: return "conflict";
    case FAULT_OVERFLOW: return "amount_overflow";
    case FAULT_UNAVAILABLE: return "database_unavailable";
    case FAULT_NOMEM: return "out_of_memory";
    case FAULT_TAMPERED: return "ledger_tampered";
    case FAULT_TOTAL_LIMIT: return "campaign_total_limit";
    case FAULT_KEY_RETIRED: return "signing_key_retired";
    case FAULT_DECLINED: return "card_declined";
    case FAULT_PROVIDER: return "provider_unavailable";
    default: return "internal_error";
    }
}

void fault_describe(char *out, size_t cap, const struct fault *f)
{
    snprintf(out, cap, "%s%s%s (%s)%s%s", f->context,
             f->context[0] ? ": " : "",
             f->message[0] ? f->message : fault_name(f->code),
             fault_name(f->code), f->hint[0] ? "; " : "", f->hint);
}
