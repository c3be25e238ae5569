#include "api/ratelimit.h"

#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <time.h>

#define SLOTS 4096

struct bucket {
    double tokens;
    double at; /* monotonic seconds of the last refill; 0: never used */
};

struct ratelimit {
    pthread_mutex_t lock;
    double rate, burst;
    unsigned char hash_key[crypto_shorthash_KEYBYTES];
    struct bucket slots[SLOTS];
};

struct ratelimit *ratelimit_new(double rate, double burst)
{
    struct ratelimit *rl = calloc(1, sizeof *rl);
    if (rl == NULL)
        return NULL;
    pthread_mutex_init(&rl->lock, NULL);
    rl->rate = rate;
    rl->burst = burst < 1 ? 1 : burst;
    /* A keyed hash, so clients cannot aim at each other's slots. */
    crypto_shorthash_keygen(rl->hash_key);
    return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
    if (rl == NULL)
        return;
    pthread_mutex_destroy(&rl->lock);
    free(rl);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool step(struct ratelimit *rl, const unsigned char *addr, size_t len,
                 unsigned *retry_after_s, bool take)
{
    unsigned char h[crypto_shorthash_BYTES];
    crypto_shorthash(h, addr, len, rl->hash_key);
    size_t slot = ((size_t)h[0] | (size_t)h[1] << 8) % SLOTS;
    double t = now_s();
    pthread_mutex_lock(&rl->lock);
    struct bucket *b = &rl->slots[slot];
    if (b->at == 0)
        b->tokens = rl->burst;
    else
        b->tokens = fmin(rl->burst, b->tokens + (t - b->at) * rl->rate);
    b->at = t;
    bool ok = b->tokens >= 1;
    if (ok && take)
        b->tokens -= 1;
    double wait = ok ? 0 : (1 - b->tokens) / rl->rate;
    pthread_mutex_unlock(&rl->lock);
    if (retry_after_s)
        *retry_after_s = (unsigned)ceil(wait);
    return ok;
}

bool ratelimit_take(struct ratelimit *rl, const unsigned char *addr,
                    size_t len, unsigned *retry_after_s)
{
    return step(rl, addr, len, retry_after_s, true);
}

bool ratelimit_peek(struct ratelimit *rl, const unsigned char *addr,
                    size_t len, unsigned *retry_after_s)
{
    return step(rl, addr, len, retry_after_s, false);
}
