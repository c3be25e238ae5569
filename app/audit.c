#include "app/audit.h"

#include "store/store.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static int add_entry(void *ctx, const struct ledger_entry *e)
{
    ledger_check_add(ctx, e);
    return 0;
}

static void problem(struct ledger_check *c, const char *subject,
                    const char *what)
{
    if (c->nproblems < LEDGER_PROBLEMS_MAX)
        snprintf(c->problems[c->nproblems], sizeof c->problems[0],
                 "receipt %.36s: %s", subject, what);
    c->nproblems++;
}

static int check_receipt(void *ctx, const struct receipt_row *r)
{
    struct audit *a = ctx;
    a->receipts++;
    unsigned char sig[crypto_sign_BYTES];
    size_t len = 0;
    if (sodium_base642bin(sig, sizeof sig, r->signature, strlen(r->signature),
                          NULL, &len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        len != sizeof sig ||
        crypto_sign_verify_detached(sig, (const unsigned char *)r->body,
                                    strlen(r->body), r->public_key) != 0) {
        problem(&a->ledger, r->subject_id, "signature does not verify");
        return 0;
    }
    json_t *body = json_loads(r->body, 0, NULL);
    const char *hash = json_string_value(json_object_get(body, "entry_hash"));
    json_t *amount = json_object_get(body, "amount_minor");
    if (!r->has_entry)
        problem(&a->ledger, r->subject_id, "names a seq the ledger lacks");
    else if (hash == NULL || strcmp(hash, r->entry_hash_hex) != 0)
        problem(&a->ledger, r->subject_id, "entry_hash differs from ledger");
    else if (!json_is_integer(amount) ||
             json_integer_value(amount) != r->entry_amount)
        problem(&a->ledger, r->subject_id, "amount differs from ledger");
    json_decref(body);
    return 0;
}

int audit_run(struct audit *out, struct store *s, const char *campaign_id,
              struct fault *f)
{
    struct totals t;
    memset(out, 0, sizeof *out);
    ledger_check_init(&out->ledger, campaign_id);
    int rc = store_ledger_walk(&t, s, campaign_id, add_entry, &out->ledger, f);
    if (rc)
        return rc;
    ledger_check_totals(&out->ledger, &t);
    unsigned char nodes[32];
    int64_t count;
    if ((rc = store_merkle_nodes_digest(nodes, &count, s, campaign_id,
                                        out->ledger.entries, f)) != 0)
        return rc;
    ledger_check_nodes(&out->ledger, nodes, count);
    return store_receipts_walk(s, campaign_id, check_receipt, out, f);
}
