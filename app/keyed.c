#include "app/keyed.h"

#include <string.h>

/* Runs of an operation that keeps losing key races before we give up. */
#define KEY_RACE_TRIES 3

int keyed_run(int (*op)(void *ctx, struct fault *f), void *ctx,
              struct fault *f)
{
    for (int attempt = 1;; attempt++) {
        struct fault local = {0};
        int rc = op(ctx, &local);
        if (rc == 0)
            return 0;
        if (rc != FAULT_RETRY)
            return fault_set(f, rc, local.field, "%s", local.message);
        if (attempt == KEY_RACE_TRIES)
            return fault_set(f, FAULT_IDEM_IN_FLIGHT, NULL,
                             "another request with this Idempotency-Key "
                             "came first");
    }
}

int keyed_lookup(struct idem_record *rec, struct store *s,
                 const struct idem *idem, const char *want, struct fault *f)
{
    if (idem == NULL)
        return 0;
    int rc = store_idem_get(rec, s, idem->key, f);
    if (rc <= 0)
        return rc;
    if (!idem_matches(idem, rec->request_hash, rec->resource, want))
        return fault_set(f, FAULT_IDEM_REUSED, NULL,
                         "this Idempotency-Key was used for another "
                         "request");
    return 1;
}

