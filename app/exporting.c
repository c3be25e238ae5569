#include "app/exporting.h"

#include "app/app.h"
#include "store/pool.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct exporting {
    struct export x;
    struct store *store;
};

struct export *exporting_export(struct exporting *e)
{
    return &e->x;
}

int exporting_open(struct exporting **out, struct app *a,
                   const struct export_params *p, const char *who,
                   const char *action, struct fault *f)
{
    *out = NULL;
    if (p->has_from && p->has_to && p->from_us > p->to_us)
        return fault_set(f, FAULT_INVALID, "from", "from is after to");
    struct exporting *e = calloc(1, sizeof *e);
    /* The rows come from PLEDGED_READ_URL when set (a standby): a
     * consistent snapshot as of its replay, pinned to the head it has. */
    if (e == NULL || (e->store = store_new(a->read_conninfo)) == NULL) {
        free(e);
        return fault_set(f, FAULT_NOMEM, NULL, "out of memory");
    }
    struct export_params pinned = *p;
    struct campaign c;
    int rc = store_campaign_get(&c, NULL, e->store, p->campaign_id, f);
    if (rc == 0 && pinned.until_seq <= 0)
        rc = store_head_seq(&pinned.until_seq, e->store, p->campaign_id, f);
    if (rc == 0 && who) {
        char detail[96];
        snprintf(detail, sizeof detail, "%s until_seq=%lld%s%s",
                 p->format == EXPORT_CSV ? "csv" : "jsonl",
                 (long long)p->until_seq, p->has_from ? " from" : "",
                 p->has_to ? " to" : "");
        struct admin_action log = {who, action, p->campaign_id, detail};
        if (a->read_conninfo == a->conninfo) {
            rc = store_admin_log(e->store, &log, f);
        } else { /* a standby takes no writes: the log goes to the primary */
            struct store *w = pool_acquire(a->pool, POOL_WAIT_MS, f);
            rc = w ? store_admin_log(w, &log, f) : FAULT_UNAVAILABLE;
            pool_release(a->pool, w);
        }
    }
    if (rc == 0)
        rc = store_export_open(e->store, p->campaign_id, pinned.until_seq,
                               p->has_from, p->from_us, p->has_to, p->to_us, f);
    if (rc) {
        store_free(e->store);
        free(e);
        return rc;
    }
    export_start(&e->x, &pinned, c.currency);
    *out = e;
    return 0;
}

int exporting_fill(struct exporting *e, size_t want, struct fault *f)
{
    while (!e->x.done && e->x.out.len < want) {
        struct export_row r;
        int rc = store_export_next(&r, e->store, f);
        if (rc < 0)
            return rc;
        if (rc == 0)
            e->x.done = true;
        else if ((rc = export_add(&e->x, &r, f)) != 0)
            return rc;
    }
    return 0;
}

int exporting_manifest(struct signed_doc *out, struct exporting *e,
                       const struct signer *k, struct fault *f)
{
    int rc = 0;
    while (rc == 0 && !e->x.done) {
        buf_reset(&e->x.out);
        rc = exporting_fill(e, 64 * 1024, f);
    }
    return rc ? rc : export_manifest(out, &e->x, k, f);
}

void exporting_close(struct exporting *e)
{
    if (e == NULL)
        return;
    store_export_close(e->store);
    store_free(e->store);
    export_release(&e->x);
    free(e);
}
