#include "core/money.h"

#include "core/fault.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const struct currency currencies[] = {
    {"USD", 2, "$"},   {"EUR", 2, "€"},   {"GBP", 2, "£"},
    {"JPY", 0, "¥"},   {"CHF", 2, "CHF"}, {"CAD", 2, "CA$"},
    {"AUD", 2, "A$"},  {"NZD", 2, "NZ$"}, {"SEK", 2, "kr"},
    {"NOK", 2, "kr"},  {"DKK", 2, "kr"},  {"ISK", 0, "kr"},
    {"PLN", 2, "zł"},  {"CZK", 2, "Kč"},  {"HUF", 2, "Ft"},
    {"INR", 2, "₹"},   {"BRL", 2, "R$"},  {"MXN", 2, "MX$"},
    {"ZAR", 2, "R"},   {"KRW", 0, "₩"},   {"KWD", 3, "KWD"},
    {"BHD", 3, "BHD"}, {"UAH", 2, "₴"},   {"ILS", 2, "₪"},
};

const struct currency *currency_find(const char *code)
{
    if (code == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof currencies / sizeof currencies[0]; i++)
        if (strcmp(currencies[i].code, code) == 0)
            return &currencies[i];
    return NULL;
}

int money_add(int64_t *out, int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r))
        return FAULT_OVERFLOW;
    *out = r;
    return 0;
}

int money_sub(int64_t *out, int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_sub_overflow(a, b, &r))
        return FAULT_OVERFLOW;
    *out = r;
    return 0;
}

int money_total_add(int64_t *total, int64_t amount, struct fault *f)
{
    int64_t t;
    if (money_add(&t, *total, amount) != 0)
        return fault_set(f, FAULT_OVERFLOW, "amount_minor",
                         "the campaign total would overflow");
    if (t > MONEY_MAX_EXACT)
        return fault_set(f, FAULT_TOTAL_LIMIT, "amount_minor",
                         "the campaign total would pass %lld minor units, "
                         "the most a signed total can hold",
                         (long long)MONEY_MAX_EXACT);
    *total = t;
    return 0;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

int money_parse(int64_t *out, const char *s, const struct currency *c)
{
    if (s == NULL || c == NULL)
        return FAULT_INVALID;
    bool neg = *s == '-';
    if (neg)
        s++;
    /* Accumulate as a negative number so that INT64_MIN parses too. */
    int64_t acc = 0;
    int digits = 0, group = -1; /* digits since the last comma, -1: none */
    for (; is_digit(*s) || *s == ','; s++) {
        if (*s == ',') {
            if (digits == 0 || (group >= 0 && group != 3) ||
                (group < 0 && digits > 3))
                return FAULT_INVALID;
            group = 0;
            continue;
        }
        if (__builtin_mul_overflow(acc, 10, &acc) ||
            __builtin_sub_overflow(acc, *s - '0', &acc))
            return FAULT_OVERFLOW;
        digits++;
        if (group >= 0)
            group++;
    }
    if (digits == 0 || (group >= 0 && group != 3))
        return FAULT_INVALID;
    int decimals = 0;
    if (*s == '.') {
        s++;
        for (; is_digit(*s); s++) {
            if (++decimals > c->exponent)
                return FAULT_INVALID;
            if (__builtin_mul_overflow(acc, 10, &acc) ||
                __builtin_sub_overflow(acc, *s - '0', &acc))
                return FAULT_OVERFLOW;
        }
        if (decimals == 0)
            return FAULT_INVALID;
    }
    if (*s != '\0')
        return FAULT_INVALID;
    for (; decimals < c->exponent; decimals++)
        if (__builtin_mul_overflow(acc, 10, &acc))
            return FAULT_OVERFLOW;
    if (!neg && __builtin_mul_overflow(acc, -1, &acc))
        return FAULT_OVERFLOW;
    *out = acc;
    return 0;
}

int money_format(char *out, size_t outlen, int64_t minor,
                 const struct currency *c)
{
    /* Work in uint64_t: -INT64_MIN does not fit in int64_t. */
    uint64_t mag = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
    uint64_t scale = 1;
    for (int i = 0; i < c->exponent; i++)
        scale *= 10;
    uint64_t major = mag / scale, cents = mag % scale;

    char digits[24];
    int nd = snprintf(digits, sizeof digits, "%llu", (unsigned long long)major);
    char grouped[32];
    size_t g = 0;
    for (int i = 0; i < nd; i++) {
        if (i > 0 && (nd - i) % 3 == 0)
            grouped[g++] = ',';
        grouped[g++] = digits[i];
    }
    grouped[g] = '\0';

    int n;
    if (cents)
        n = snprintf(out, outlen, "%s%s.%0*llu %s", minor < 0 ? "-" : "",
                     grouped, c->exponent, (unsigned long long)cents,
                     c->symbol);
    else
        n = snprintf(out, outlen, "%s%s %s", minor < 0 ? "-" : "", grouped,
                     c->symbol);
    if (n < 0 || (size_t)n >= outlen)
        return -1;
    return n;
}
