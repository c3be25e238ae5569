#include "core/token.h"

#include <sodium.h>
#include <string.h>

void token_hash(unsigned char out[32], const char *token, size_t len)
{
    crypto_generichash(out, 32, (const unsigned char *)token, len, NULL, 0);
}

bool token_name_valid(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > TOKEN_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
            return false;
    }
    return true;
}

void token_generate(char out[TOKEN_TEXT_LEN], unsigned char hash[32])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, TOKEN_TEXT_LEN, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    token_hash(hash, out, strlen(out));
}
