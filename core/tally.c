#include "core/tally.h"

#include <stdio.h>

#define TALLY_BASE UINT64_C(1000000000000000000)

void tally_add(struct tally *t, int64_t v)
{
    if (v <= 0)
        return;
    /* lo < 10^18 and v < 2^63: the sum fits in uint64_t. */
    t->lo += (uint64_t)v;
    while (t->lo >= TALLY_BASE) {
        t->lo -= TALLY_BASE;
        t->hi++;
    }
}

int tally_format(char *out, size_t outlen, const struct tally *t)
{
    int n = t->hi ? snprintf(out, outlen, "%llu%018llu",
                             (unsigned long long)t->hi,
                             (unsigned long long)t->lo)
                  : snprintf(out, outlen, "%llu", (unsigned long long)t->lo);
    return n < 0 || (size_t)n >= outlen ? -1 : n;
}
