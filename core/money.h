#ifndef PLEDGED_MONEY_H
#define PLEDGED_MONEY_H
/*
 * Money is an int64_t count of minor units (cents for USD) plus an ISO 4217
 * currency. No floating point anywhere. Every operation checks for overflow
 * and leaves its output untouched on failure.
 *
 * Amounts that are hashed or signed are also limited to MONEY_MAX_EXACT
 * (2^53 - 1), the largest integer every JSON reader (JavaScript, RFC 8785)
 * represents exactly.
 */
#include "core/fault.h"

#include <stddef.h>
#include <stdint.h>

#define MONEY_MAX_EXACT INT64_C(9007199254740991)

struct currency {
    char code[4];       /* "USD" */
    int exponent;       /* digits after the decimal point: 2 for USD */
    const char *symbol; /* "$"; the code itself where no symbol is usual */
};

/* The currency with this upper-case ISO 4217 code, or NULL if unknown. */
const struct currency *currency_find(const char *code);

/* *out = a + b (or a - b); 0, or FAULT_OVERFLOW leaving *out unchanged. */
int money_add(int64_t *out, int64_t a, int64_t b)
    __attribute__((warn_unused_result));
int money_sub(int64_t *out, int64_t a, int64_t b)
    __attribute__((warn_unused_result));

/* Adds a pledge's amount to its campaign's running total: 0, or
 * FAULT_TOTAL_LIMIT (the total would pass MONEY_MAX_EXACT, so it could not
 * be signed) or FAULT_OVERFLOW, with field "amount_minor" set in f and
 * *total unchanged. */
int money_total_add(int64_t *total, int64_t amount, struct fault *f)
    __attribute__((warn_unused_result));

/* Parses a decimal amount in major units ("12.50", "2500", "-0.05", "2,500"
 * with well-placed thousands commas) into minor units of c. At most
 * c->exponent decimals. Returns 0, FAULT_INVALID or FAULT_OVERFLOW. */
int money_parse(int64_t *out, const char *s, const struct currency *c)
    __attribute__((warn_unused_result));

/* Writes the display form of the reference page: "2,500 $", "929 $",
 * "12.50 $", "-3.05 $" (thousands commas, symbol after, decimals only when
 * not zero). Returns the length written, or -1 if out is too small
 * (MONEY_DISPLAY_MAX always suffices). */
#define MONEY_DISPLAY_MAX 48
int money_format(char *out, size_t outlen, int64_t minor,
                 const struct currency *c);

#endif
