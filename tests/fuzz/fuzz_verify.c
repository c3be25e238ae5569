/* libFuzzer: the receipt verifier on arbitrary documents must never crash
 * and never call anything valid: no input here was signed. */
#include "core/receipt.h"

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned char pk[32];

static int lookup(unsigned char out[32], void *ctx, const char *kid)
{
    (void)ctx, (void)kid;
    memcpy(out, pk, 32);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        unsigned char sk[64];
        if (sodium_init() < 0)
            abort();
        crypto_sign_keypair(pk, sk);
        ready = 1;
    }
    json_t *doc = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    if (doc == NULL)
        return 0;
    bool valid = true;
    char kid[SIGNER_KID_MAX];
    (void)receipt_verify(&valid, kid, doc, lookup, NULL, NULL);
    if (valid)
        abort();
    json_decref(doc);
    return 0;
}
