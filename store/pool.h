#ifndef PLEDGED_POOL_H
#define PLEDGED_POOL_H
/*
 * A fixed set of stores (database connections) shared by the server's
 * threads: a request borrows one and gives it back, so no request ever sets
 * up a connection of its own. Thread-safe. Stores reconnect by themselves
 * (store.h), so a pool survives a database restart.
 */
#include "core/fault.h"

#include <stddef.h>

struct store;
struct pool;

/* NULL when out of memory. Connections are made on first use. */
struct pool *pool_new(const char *conninfo, size_t size);
void pool_free(struct pool *p); /* every store must have been released */

/* How long a caller waits for a free connection before FAULT_UNAVAILABLE. */
#define POOL_WAIT_MS 2000

/* Waits up to wait_ms for a free store: the store, or NULL with
 * FAULT_UNAVAILABLE. */
struct store *pool_acquire(struct pool *p, int wait_ms, struct fault *f);
void pool_release(struct pool *p, struct store *s);

/* Stores in use now, and the pool's size (for /metrics). */
size_t pool_in_use(struct pool *p);
size_t pool_size(const struct pool *p);

#endif
