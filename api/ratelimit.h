#ifndef PLEDGED_RATELIMIT_H
#define PLEDGED_RATELIMIT_H
/*
 * Token buckets per client address, in a fixed table: memory does not grow
 * with the number of clients. Two addresses that hash to one slot share a
 * bucket (stricter, never looser). Thread-safe.
 */
#include <stdbool.h>
#include <stddef.h>

struct ratelimit;

/* rate tokens per second, up to burst. NULL when out of memory. */
struct ratelimit *ratelimit_new(double rate, double burst);
void ratelimit_free(struct ratelimit *rl);

/* Takes a token for addr: true if there was one; else false and
 * *retry_after_s (may be NULL) gets the whole seconds until there is. */
bool ratelimit_take(struct ratelimit *rl, const unsigned char *addr,
                    size_t len, unsigned *retry_after_s);

/* True if addr has a token left, without taking it. */
bool ratelimit_peek(struct ratelimit *rl, const unsigned char *addr,
                    size_t len, unsigned *retry_after_s);

#endif
