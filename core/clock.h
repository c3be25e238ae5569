#ifndef PLEDGED_CLOCK_H
#define PLEDGED_CLOCK_H
/*
 * Wall-clock time as int64_t microseconds since the Unix epoch, and its
 * RFC 3339 forms. Formatting is always UTC with exactly six decimals
 * ("2026-11-25T09:41:07.123456Z"): that string is what the ledger hashes.
 */
#include <stdint.h>

#define CLOCK_RFC3339_LEN 28 /* bytes written by clock_format, with NUL */

/* The range clock_format writes faithfully, and clock_parse accepts:
 * 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z. */
#define CLOCK_MIN_US INT64_C(0)
#define CLOCK_MAX_US INT64_C(253402300799999999)

int64_t clock_now_us(void);

/* Writes us as "YYYY-MM-DDTHH:MM:SS.ffffffZ"; out holds CLOCK_RFC3339_LEN. */
void clock_format(char out[CLOCK_RFC3339_LEN], int64_t us);

/* Parses RFC 3339 ("2026-11-25T09:41:07Z", with optional fraction of up to 9
 * digits, a 'Z' or a +hh:mm / -hh:mm offset). 0, or FAULT_INVALID also for
 * a time outside [CLOCK_MIN_US, CLOCK_MAX_US] once the offset is applied. */
int clock_parse(int64_t *us, const char *s)
    __attribute__((warn_unused_result));

#endif
