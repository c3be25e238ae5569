#include "app/keys.h"

#include "app/app.h"
#include "core/receipt.h"
#include "store/pool.h"
#include "store/store.h"

#include <string.h>
#include <time.h>

int keys_list(struct app *a, int (*fn)(void *ctx, const struct key_info *k),
              void *ctx, struct fault *f)
{
    struct store *s = pool_acquire(a->pool, POOL_WAIT_MS, f);
    int rc = s ? store_keys_list(s, fn, ctx, f) : FAULT_UNAVAILABLE;
    pool_release(a->pool, s);
    return rc;
}

struct retired_check {
    const char *kid;
    bool retired;
};

static int find_retired(void *ctx, const struct key_info *k)
{
    struct retired_check *rc = ctx;
    if (strcmp(k->kid, rc->kid) == 0 && k->retired_at[0])
        rc->retired = true;
    return 0;
}

int keys_publish(struct app *a, const struct signer *k, bool rotate,
                 struct fault *f)
{
    struct store *s = pool_acquire(a->pool, POOL_WAIT_MS, f);
    int rc = s ? store_key_add(s, k->kid, k->public_key, rotate, f)
               : FAULT_UNAVAILABLE;
    struct retired_check rk = {.kid = k->kid};
    if (rc == 0 && store_keys_list(s, find_retired, &rk, f) == 0 &&
        rk.retired)
        rc = fault_set(f, FAULT_CONFLICT, NULL, "key %s was retired", k->kid);
    pool_release(a->pool, s);
    return rc;
}

static long long monotonic_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int keys_signing_check(struct app *a, struct fault *f)
{
    long long now = monotonic_us(), last = atomic_load(&a->key_checked_us);
    if (a->signer && (last == 0 || now - last >= KEYS_CHECK_MS * 1000LL) &&
        atomic_compare_exchange_strong(&a->key_checked_us, &last, now)) {
        struct retired_check rk = {.kid = a->signer->kid};
        struct store *s = pool_acquire(a->pool, POOL_WAIT_MS, NULL);
        if (s && store_keys_list(s, find_retired, &rk, NULL) == 0)
            atomic_store(&a->key_retired, rk.retired);
        pool_release(a->pool, s);
    }
    if (atomic_load(&a->key_retired))
        return fault_set(f, FAULT_KEY_RETIRED, NULL,
                         "this server's signing key %s was retired: it "
                         "signs nothing until restarted with the current key",
                         a->signer->kid);
    return 0;
}

struct lookup {
    struct store *store;
    const struct signer *local;
    bool found; /* a public key was found for the document's kid */
};

static int lookup_key(unsigned char pk[32], void *ctx, const char *kid)
{
    struct lookup *l = ctx;
    int rc = store_key_get(pk, l->store, kid, NULL);
    if (rc == FAULT_UNAVAILABLE && l->local &&
        strcmp(l->local->kid, kid) == 0) {
        memcpy(pk, l->local->public_key, 32);
        rc = 0;
    }
    l->found = rc == 0;
    return rc;
}

int keys_verify(bool *valid, char kid[SIGNER_KID_MAX], struct app *a,
                const json_t *doc, const struct signer *local, struct fault *f)
{
    *valid = false;
    kid[0] = '\0';
    struct store *s = pool_acquire(a->pool, POOL_WAIT_MS, f);
    if (s == NULL)
        return FAULT_UNAVAILABLE;
    struct lookup l = {s, local, false};
    int rc = receipt_verify(valid, kid, doc, lookup_key, &l, f);
    /* A key we could not look up because the database is unreachable must
     * not read as "invalid". */
    if (rc == 0 && !*valid && !l.found)
        rc = store_ping(s, f);
    pool_release(a->pool, s);
    return rc;
}
