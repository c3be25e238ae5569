#include "core/ledger.h"

#include "core/buf.h"
#include "core/canon.h"
#include "core/money.h"

#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *ledger_kind_name(enum entry_kind kind)
{
    return kind == ENTRY_REFUND ? "refund" : "pledge";
}

int ledger_kind_parse(enum entry_kind *out, const char *text)
{
    if (strcmp(text, "pledge") == 0)
        *out = ENTRY_PLEDGE;
    else if (strcmp(text, "refund") == 0)
        *out = ENTRY_REFUND;
    else
        return -1;
    return 0;
}

int ledger_next(struct ledger_entry *e, struct totals *t, int64_t now_us,
                struct fault *f)
{
    int64_t raised;
    if (money_add(&raised, t->raised_minor, e->amount_minor) != 0)
        return fault_set(f, FAULT_OVERFLOW, "amount_minor",
                         "the campaign total would overflow");
    e->seq = t->seq + 1;
    clock_format(e->created_at, now_us);
    memcpy(e->prev_hash, t->head_hash, LEDGER_HASH_LEN);
    int rc = ledger_hash(e->entry_hash, e, f);
    if (rc)
        return rc;
    t->seq = e->seq;
    t->raised_minor = raised;
    t->supporters += e->kind == ENTRY_PLEDGE ? 1 : -1;
    memcpy(t->head_hash, e->entry_hash, LEDGER_HASH_LEN);
    return 0;
}

int ledger_hash(unsigned char out[LEDGER_HASH_LEN],
                const struct ledger_entry *e, struct fault *f)
{
    int rc = FAULT_NOMEM;
    struct buf b;
    buf_init(&b);
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I}",
                          "amount_minor", (json_int_t)e->amount_minor,
                          "campaign_id", e->campaign_id,
                          "created_at", e->created_at,
                          "currency", e->currency,
                          "kind", ledger_kind_name(e->kind),
                          "pledge_id", e->pledge_id,
                          "seq", (json_int_t)e->seq);
    if (o == NULL) {
        fault_set(f, FAULT_INVALID, NULL, "entry has invalid text");
        rc = FAULT_INVALID;
        goto fail;
    }
    buf_append(&b, e->prev_hash, LEDGER_HASH_LEN);
    rc = canon_write(&b, o, f);
    if (rc)
        goto fail;
    crypto_generichash(out, LEDGER_HASH_LEN, (const unsigned char *)b.data,
                       b.len, NULL, 0);
fail:
    json_decref(o);
    buf_release(&b);
    return rc;
}

__attribute__((format(printf, 2, 3))) static void
problem(struct ledger_check *c, const char *fmt, ...)
{
    if (c->nproblems < LEDGER_PROBLEMS_MAX) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->problems[c->nproblems], sizeof c->problems[0], fmt, ap);
        va_end(ap);
    }
    c->nproblems++;
}

void ledger_check_init(struct ledger_check *c, const char *campaign_id)
{
    memset(c, 0, sizeof *c);
    snprintf(c->campaign_id, sizeof c->campaign_id, "%s", campaign_id);
}

void ledger_check_add(struct ledger_check *c, const struct ledger_entry *e)
{
    int64_t want = c->entries + 1;
    if (strcmp(e->campaign_id, c->campaign_id) != 0)
        problem(c, "seq %lld: belongs to campaign %s", (long long)e->seq,
                e->campaign_id);
    if (e->seq != want)
        problem(c, "seq %lld: expected seq %lld (gap or reorder)",
                (long long)e->seq, (long long)want);
    if (sodium_memcmp(e->prev_hash, c->head_hash, LEDGER_HASH_LEN) != 0)
        problem(c, "seq %lld: prev_hash does not match the previous entry",
                (long long)e->seq);
    unsigned char h[LEDGER_HASH_LEN];
    struct fault f = {0};
    if (ledger_hash(h, e, &f) != 0)
        problem(c, "seq %lld: cannot hash: %s", (long long)e->seq, f.message);
    else if (sodium_memcmp(h, e->entry_hash, LEDGER_HASH_LEN) != 0)
        problem(c, "seq %lld: entry_hash does not match its content",
                (long long)e->seq);
    if (e->kind == ENTRY_PLEDGE ? e->amount_minor < 0 : e->amount_minor > 0)
        problem(c, "seq %lld: %s with amount %lld", (long long)e->seq,
                ledger_kind_name(e->kind), (long long)e->amount_minor);
    if (money_add(&c->raised_minor, c->raised_minor, e->amount_minor) != 0)
        problem(c, "seq %lld: total overflows", (long long)e->seq);
    c->supporters += e->kind == ENTRY_PLEDGE ? 1 : -1;
    /* Continue from the stored hash so one bad entry is reported once. */
    memcpy(c->head_hash, e->entry_hash, LEDGER_HASH_LEN);
    c->entries = want;
}

void ledger_check_totals(struct ledger_check *c, const struct totals *t)
{
    if (t->seq != c->entries)
        problem(c, "totals: seq %lld but the ledger has %lld entries",
                (long long)t->seq, (long long)c->entries);
    if (t->raised_minor != c->raised_minor)
        problem(c, "totals: raised_minor %lld but the ledger sums to %lld",
                (long long)t->raised_minor, (long long)c->raised_minor);
    if (t->supporters != c->supporters)
        problem(c, "totals: supporters %lld but the ledger counts %lld",
                (long long)t->supporters, (long long)c->supporters);
    if (sodium_memcmp(t->head_hash, c->head_hash, LEDGER_HASH_LEN) != 0)
        problem(c, "totals: head hash differs from the last entry's");
}
