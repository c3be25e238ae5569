#include "core/receipt.h"

#include "core/buf.h"
#include "core/canon.h"
#include "core/clock.h"
#include "core/hex.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

void signed_doc_release(struct signed_doc *d)
{
    free(d->body);
    d->body = NULL;
}

/* Canonicalises and signs v (taken), filling out. */
int receipt_sign_take(struct signed_doc *out, const struct signer *k,
                     json_t *v, struct fault *f)
{
    struct buf b;
    buf_init(&b);
    int rc = v ? canon_write(&b, v, f)
               : fault_set(f, FAULT_NOMEM, NULL, "out of memory");
    json_decref(v);
    if (rc == 0) {
        signer_sign(out->signature, k, (const unsigned char *)b.data, b.len);
        out->body = buf_take(&b);
    }
    buf_release(&b);
    return rc;
}

static json_t *donor_name(const struct pledge *p)
{
    return p->anonymous || !p->donor_name[0] ? json_null()
                                             : json_string(p->donor_name);
}

/* issued_at is the committed entry's created_at: a receipt is then a pure
 * function of the ledger entry and the key (Ed25519 is deterministic), so
 * signing it again gives the same bytes. */
static json_t *pledge_receipt_json(const struct signer *k,
                                   const struct pledge *p)
{
    char hash[HEX32_LEN];
    const char *now = p->created_at;
    hex_encode(hash, p->entry_hash, 32);
    return json_pack(
        "{s:s, s:i, s:s, s:s, s:I, s:s, s:s, s:o, s:I, s:s, s:s, s:s}",
        "type", "pledge_receipt", "v", 1, "pledge_id", p->id, "campaign_id",
        p->campaign_id, "amount_minor", (json_int_t)p->amount_minor,
        "currency", p->currency, "kind", pledge_kind_name(p->kind),
        "donor_name", donor_name(p), "seq", (json_int_t)p->seq, "entry_hash",
        hash, "issued_at", now, "kid", k->kid);
}

int receipt_pledge_sign(struct signed_doc *out, const struct signer *k,
                        const struct pledge *p, struct fault *f)
{
    return receipt_sign_take(out, k, pledge_receipt_json(k, p), f);
}

int receipt_refund_sign(struct signed_doc *out, const struct signer *k,
                        const struct refund *rf, const struct pledge *p,
                        struct fault *f)
{
    char hash[HEX32_LEN];
    const char *now = rf->created_at;
    hex_encode(hash, rf->entry_hash, 32);
    json_t *r = json_pack(
        "{s:s, s:i, s:s, s:s, s:s, s:I, s:s, s:s, s:o, s:I, s:s, s:s, s:s}",
        "type", "refund_receipt", "v", 1, "refund_id", rf->id, "pledge_id",
        rf->pledge_id, "campaign_id", rf->campaign_id, "amount_minor",
        (json_int_t)rf->amount_minor, "currency", rf->currency, "kind",
        "refund", "donor_name", donor_name(p), "seq", (json_int_t)rf->seq,
        "entry_hash", hash, "issued_at", now, "kid", k->kid);
    return receipt_sign_take(out, k, r, f);
}

void receipt_payment_subject(char out[UUID_STR_LEN], const char *provider,
                             const char *reference)
{
    unsigned char h[16];
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, sizeof h);
    crypto_generichash_update(&st, (const unsigned char *)provider,
                              strlen(provider) + 1);
    crypto_generichash_update(&st, (const unsigned char *)reference,
                              strlen(reference));
    crypto_generichash_final(&st, h, sizeof h);
    h[6] = (unsigned char)((h[6] & 0x0f) | 0x80); /* version 8: custom */
    h[8] = (unsigned char)((h[8] & 0x3f) | 0x80); /* RFC 9562 variant */
    uuid_format(out, h);
}

int receipt_payment_sign(struct signed_doc *out, const struct signer *k,
                         const struct ledger_entry *e, const struct pledge *p,
                         struct fault *f)
{
    char hash[HEX32_LEN], subject[UUID_STR_LEN];
    hex_encode(hash, e->entry_hash, 32);
    receipt_payment_subject(subject, e->provider, e->reference);
    json_t *r = json_pack(
        "{s:s, s:i, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:o, s:I, s:s, "
        "s:s, s:s}",
        "type", "payment_receipt", "v", 1, "payment_id", subject, "pledge_id",
        e->pledge_id, "campaign_id", e->campaign_id, "amount_minor",
        (json_int_t)e->amount_minor, "currency", e->currency, "method",
        e->method, "provider", e->provider, "reference", e->reference,
        "donor_name", donor_name(p), "seq", (json_int_t)e->seq, "entry_hash",
        hash, "issued_at", e->created_at, "kid", k->kid);
    return receipt_sign_take(out, k, r, f);
}

int receipt_head(struct signed_doc *out, const struct signer *k,
                 const struct campaign *c, const struct totals *t,
                 struct fault *f)
{
    char hash[HEX32_LEN], root[HEX32_LEN], now[CLOCK_RFC3339_LEN];
    hex_encode(hash, t->head_hash, 32);
    merkle_hash mth;
    merkle_root(mth, &t->tree);
    hex_encode(root, mth, MERKLE_HASH_LEN);
    clock_format(now, clock_now_us());
    /* The Merkle tree's size and root (core/merkle.h) name the same state
     * as seq and entry_hash, so a head and a checkpoint can be matched. */
    json_t *h = json_pack(
        "{s:s, s:s, s:I, s:s, s:I, s:I, s:I, s:s, s:s, s:s, s:I, s:s}",
        "type", "campaign_head", "campaign_id", c->id, "seq",
        (json_int_t)t->seq, "entry_hash", hash, "raised_minor",
        (json_int_t)t->raised_minor, "collected_minor",
        (json_int_t)t->collected_minor, "supporters",
        (json_int_t)t->supporters, "currency", c->currency, "signed_at", now,
        "kid", k->kid, "tree_size", (json_int_t)t->tree.size, "root_hash",
        root);
    return receipt_sign_take(out, k, h, f);
}

static const struct {
    const char *wrapper, *type;
} bindings[] = {{"receipt", "pledge_receipt"},
                {"receipt", "refund_receipt"},
                {"receipt", "payment_receipt"},
                {"head", "campaign_head"},
                {"manifest", "ledger_manifest"}};

const char *receipt_doc_type(const json_t *doc)
{
    for (size_t i = 0; i < sizeof bindings / sizeof bindings[0]; i++) {
        const json_t *body = json_object_get(doc, bindings[i].wrapper);
        const char *t = json_string_value(json_object_get(body, "type"));
        if (t && strcmp(t, bindings[i].type) == 0)
            return t;
    }
    return NULL;
}

int receipt_verify(bool *valid, char kid[SIGNER_KID_MAX], const json_t *doc,
                   key_lookup_fn *lookup, void *ctx, struct fault *f)
{
    *valid = false;
    kid[0] = '\0';
    if (!json_is_object(doc))
        return fault_set(f, FAULT_INVALID, NULL,
                         "expected a JSON object with a signature");
    static const char *const kinds[] = {"receipt", "head", "manifest"};
    const json_t *body = NULL;
    const char *field = "receipt";
    for (size_t i = 0; i < 3 && body == NULL; i++)
        if ((body = json_object_get(doc, kinds[i])) != NULL)
            field = kinds[i];
    const json_t *sig = json_object_get(doc, "signature");
    if (!json_is_object(body))
        return fault_set(f, FAULT_INVALID, field,
                         "expected \"receipt\", \"head\" or \"manifest\" "
                         "as an object");
    if (!json_is_string(sig))
        return fault_set(f, FAULT_INVALID, "signature",
                         "signature must be a base64 string");
    if (json_object_size(doc) != 2)
        return fault_set(f, FAULT_INVALID, NULL,
                         "unexpected fields beside %s and signature", field);
    const json_t *k = json_object_get(body, "kid");
    if (!json_is_string(k) || json_string_length(k) >= SIGNER_KID_MAX)
        return 0; /* no key we could have issued: not valid */
    memcpy(kid, json_string_value(k), json_string_length(k) + 1);
    if (receipt_doc_type(doc) == NULL)
        return 0; /* e.g. a head wrapped as a receipt */

    unsigned char pk[32], raw[crypto_sign_BYTES];
    size_t raw_len = 0;
    if (lookup(pk, ctx, kid) != 0)
        return 0;
    if (sodium_base642bin(raw, sizeof raw, json_string_value(sig),
                          json_string_length(sig), NULL, &raw_len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        raw_len != sizeof raw)
        return 0;
    struct buf b;
    buf_init(&b);
    struct fault ignore = {0};
    if (canon_write(&b, body, &ignore) == 0)
        *valid = crypto_sign_verify_detached(raw, (const unsigned char *)b.data,
                                             b.len, pk) == 0;
    buf_release(&b);
    return 0;
}
