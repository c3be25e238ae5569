#ifndef PLEDGED_METRICS_H
#define PLEDGED_METRICS_H
/*
 * Counters for /metrics (Prometheus text format 0.0.4). Lock-free atomic
 * counters in fixed tables: recording never allocates or blocks.
 */
#include "core/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct app;

/* A finished request: route index (route_count() for "no route"), status
 * and latency. */
void metrics_request(size_t route, unsigned status, double ms);

/* A pledge recorded (not a replay). */
void metrics_pledge(const char *currency, int64_t amount_minor, bool tier);

/* Appends the whole exposition. */
void metrics_render(struct buf *out, struct app *a);

#endif
