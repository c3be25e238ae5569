#ifndef PLEDGED_TALLY_H
#define PLEDGED_TALLY_H
/*
 * An exact running sum of non-negative amounts that never wraps, for
 * counters such as the Prometheus money total: a process may count more
 * than INT64_MAX minor units in all (1,024 pledges of MONEY_MAX_EXACT).
 * The value is hi * 10^18 + lo with lo < 10^18. Not thread-safe: the
 * caller locks.
 */
#include <stddef.h>
#include <stdint.h>

struct tally {
    uint64_t hi;
    uint64_t lo;
};

/* Adds v (negative values are ignored: the sum only grows). */
void tally_add(struct tally *t, int64_t v);

/* Writes the decimal value; the length, or -1 if outlen is too small
 * (41 bytes always suffice). */
int tally_format(char *out, size_t outlen, const struct tally *t);

#endif
