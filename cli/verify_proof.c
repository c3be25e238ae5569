/* `pledged verify RECEIPT --proof P --checkpoint C --key VKEY`: checks,
 * offline and without a database, that a receipt's entry is in the log a
 * signed checkpoint names (docs/VERIFY.md). */
#include "cli/verify_proof.h"

#include "core/checkpoint.h"
#include "core/hex.h"
#include "core/ledger.h"
#include "core/receipt.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *slurp(const char *path, size_t *len)
{
    struct stat st;
    FILE *fp = fopen(path, "rb");
    if (fp == NULL || fstat(fileno(fp), &st) != 0 || st.st_size > 1 << 20) {
        if (fp)
            fclose(fp);
        return NULL;
    }
    char *b = malloc((size_t)st.st_size + 1);
    *len = b ? fread(b, 1, (size_t)st.st_size, fp) : 0;
    fclose(fp);
    if (b)
        b[*len] = '\0';
    return b;
}

/* The one key a receipt may be signed by: the checkpoint's. */
static int only_key(unsigned char pk[32], void *ctx, const char *kid)
{
    char want[SIGNER_KID_MAX];
    signer_kid(want, ctx);
    if (strcmp(want, kid) != 0)
        return FAULT_NOT_FOUND;
    memcpy(pk, ctx, 32);
    return 0;
}

static void copy(char *dst, size_t n, const json_t *o, const char *name)
{
    const char *v = json_string_value(json_object_get(o, name));
    snprintf(dst, n, "%s", v ? v : "");
}

/* The ledger entry a pledge or payment receipt names. */
static int entry_of(struct ledger_entry *e, const json_t *r)
{
    memset(e, 0, sizeof *e);
    const char *type = json_string_value(json_object_get(r, "type"));
    if (type == NULL)
        return -1;
    if (strcmp(type, "pledge_receipt") == 0)
        e->kind = ENTRY_PLEDGE;
    else if (strcmp(type, "payment_receipt") == 0)
        e->kind = ENTRY_PAYMENT;
    else
        return -1;
    copy(e->campaign_id, sizeof e->campaign_id, r, "campaign_id");
    copy(e->pledge_id, sizeof e->pledge_id, r, "pledge_id");
    copy(e->currency, sizeof e->currency, r, "currency");
    copy(e->created_at, sizeof e->created_at, r, "issued_at");
    if (e->kind == ENTRY_PAYMENT) {
        copy(e->provider, sizeof e->provider, r, "provider");
        copy(e->reference, sizeof e->reference, r, "reference");
        copy(e->method, sizeof e->method, r, "method");
    }
    e->amount_minor = json_integer_value(json_object_get(r, "amount_minor"));
    e->seq = json_integer_value(json_object_get(r, "seq"));
    return e->seq >= 1 ? 0 : -1;
}

static int check(const char *receipt_path, const char *proof_path,
                 const char *cp_path, const char *vkey)
{
    size_t len = 0;
    char *note = slurp(cp_path, &len);
    struct checkpoint cp;
    struct fault f = {0};
    if (note == NULL) {
        fprintf(stderr, "pledged: cannot read %s\n", cp_path);
        return 2;
    }
    int rc = checkpoint_open(&cp, note, len, vkey, &f);
    free(note);
    if (rc) {
        printf("INVALID: checkpoint: %s\n", f.message);
        return 1;
    }
    /* The verifier key holds the public key that signs receipts too. */
    unsigned char pk[33];
    const char *b64 = strchr(strchr(vkey, '+') + 1, '+') + 1;
    size_t got = 0;
    sodium_base642bin(pk, sizeof pk, b64, strlen(b64), NULL, &got, NULL,
                      sodium_base64_VARIANT_ORIGINAL);
    json_error_t err;
    json_t *doc = json_load_file(receipt_path, JSON_REJECT_DUPLICATES, &err);
    json_t *proof = json_load_file(proof_path, JSON_REJECT_DUPLICATES, &err);
    const char *why = NULL;
    bool valid = false;
    char kid[SIGNER_KID_MAX];
    struct ledger_entry e;
    const json_t *r = json_object_get(doc, "receipt");
    merkle_hash leaf, *path = NULL;
    size_t n = 0;
    if (doc == NULL || proof == NULL)
        why = "the receipt or the proof is not JSON";
    else if (receipt_verify(&valid, kid, doc, only_key, pk + 1, &f) != 0 ||
             !valid)
        why = "the receipt's signature is not by the checkpoint's key";
    else if (entry_of(&e, r) != 0 || ledger_leaf(leaf, &e, &f) != 0)
        why = "not a pledge or payment receipt";
    else {
        char origin_end[CAMPAIGN_ID_MAX + 2];
        snprintf(origin_end, sizeof origin_end, "/%s", e.campaign_id);
        size_t ol = strlen(cp.origin), el = strlen(origin_end);
        const json_t *jp = json_object_get(proof, "path");
        n = json_array_size(jp);
        path = calloc(n ? n : 1, sizeof *path);
        for (size_t i = 0; path && i < n; i++) {
            const char *h = json_string_value(json_array_get(jp, i));
            if (h == NULL || hex_decode(path[i], MERKLE_HASH_LEN, h) != 0)
                why = "the proof's path is not hex hashes";
        }
        if (why == NULL && (ol < el || strcmp(cp.origin + ol - el,
                                              origin_end) != 0))
            why = "the checkpoint is another campaign's";
        else if (why == NULL &&
                 json_integer_value(json_object_get(proof, "tree_size")) !=
                     cp.size)
            why = "the proof is for another tree size than the checkpoint";
        else if (why == NULL &&
                 !merkle_verify_inclusion(leaf, e.seq - 1, cp.size,
                                          path ? path[0] : NULL, n, cp.root))
            why = "the proof does not lead from the receipt's entry to the "
                  "checkpoint's root";
    }
    if (why)
        printf("INVALID: %s\n", why);
    else
        printf("valid: %s %lld %s is entry %lld of %s, a log of %lld "
               "entries whose signed raised_minor is %lld\n",
               json_string_value(json_object_get(r, "type")),
               (long long)e.amount_minor, e.currency, (long long)e.seq,
               cp.origin, (long long)cp.size, (long long)cp.raised_minor);
    free(path);
    json_decref(doc);
    json_decref(proof);
    return why ? 1 : 0;
}

int verify_proof_main(int argc, char **argv)
{
    const char *receipt = NULL, *proof = NULL, *cp = NULL, *key = NULL;
    for (int i = 2; i < argc; i++) {
        const char **slot = strcmp(argv[i], "--proof") == 0        ? &proof
                            : strcmp(argv[i], "--checkpoint") == 0 ? &cp
                            : strcmp(argv[i], "--key") == 0        ? &key
                                                                   : NULL;
        if (slot && i + 1 < argc)
            *slot = argv[++i];
        else if (slot == NULL && receipt == NULL)
            receipt = argv[i];
        else
            receipt = proof = NULL;
    }
    if (!receipt || !proof || !cp || !key) {
        fprintf(stderr, "usage: pledged verify RECEIPT --proof PROOF "
                        "--checkpoint CHECKPOINT --key NOTE_KEY\n");
        return 2;
    }
    return check(receipt, proof, cp, key);
}

bool verify_proof_wanted(int argc, char **argv)
{
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "--checkpoint") == 0 ||
            strcmp(argv[i], "--proof") == 0)
            return true;
    return false;
}
