#include "core/token.h"

#include "core/store.h"

#include <sodium.h>
#include <string.h>

void token_hash(unsigned char out[32], const char *token, size_t len)
{
    crypto_generichash(out, 32, (const unsigned char *)token, len, NULL, 0);
}

static int name_valid(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
            return 0;
    }
    return 1;
}

int token_create(char out[TOKEN_TEXT_LEN], struct store *s, const char *name,
                 struct fault *f)
{
    if (!name_valid(name))
        return fault_set(f, FAULT_INVALID, "name",
                         "token names are 1-64 of [A-Za-z0-9_.-]");
    unsigned char raw[32], hash[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, TOKEN_TEXT_LEN, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    token_hash(hash, out, strlen(out));
    int rc = store_token_add(s, name, hash, f);
    if (rc)
        sodium_memzero(out, TOKEN_TEXT_LEN);
    return rc;
}
