#include "core/signer.h"

#include "core/hex.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void signer_kid(char out[SIGNER_KID_MAX], const unsigned char pk[32])
{
    unsigned char h[8];
    crypto_generichash(h, sizeof h, pk, 32, NULL, 0);
    char hex[17];
    hex_encode(hex, h, sizeof h);
    snprintf(out, SIGNER_KID_MAX, "ed25519-%s", hex);
}

static struct signer *from_seed(const unsigned char seed[32], struct fault *f)
{
    struct signer *k = calloc(1, sizeof *k);
    if (k == NULL || (k->secret_key = sodium_malloc(64)) == NULL) {
        free(k);
        fault_set(f, FAULT_NOMEM, NULL, "out of memory");
        return NULL;
    }
    crypto_sign_seed_keypair(k->public_key, k->secret_key, seed);
    signer_kid(k->kid, k->public_key);
    return k;
}

void signer_free(struct signer *k)
{
    if (k == NULL)
        return;
    sodium_free(k->secret_key); /* wipes it */
    free(k);
}

struct signer *signer_load(const char *path, struct fault *f)
{
    struct signer *k = NULL;
    unsigned char *seed = sodium_malloc(32);
    char *line = sodium_malloc(256);
    FILE *fp = NULL;
    if (seed == NULL || line == NULL) {
        fault_set(f, FAULT_NOMEM, NULL, "out of memory");
        goto done;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        fault_set(f, errno == ENOENT ? FAULT_NOT_FOUND : FAULT_INVALID, NULL,
                  "cannot open key file %s: %s", path, strerror(errno));
        goto done;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        fault_set(f, FAULT_INVALID, NULL,
                  "key file %s must be a regular file with mode 0600", path);
        close(fd);
        goto done;
    }
    fp = fdopen(fd, "r");
    if (fp == NULL) {
        close(fd);
        fault_set(f, FAULT_NOMEM, NULL, "out of memory");
        goto done;
    }
    char kid[SIGNER_KID_MAX];
    size_t seed_len = 0;
    const char *end;
    if (fgets(line, 256, fp) == NULL ||
        sscanf(line, "%31s", kid) != 1 || strchr(line, ' ') == NULL ||
        sodium_base642bin(seed, 32, strchr(line, ' ') + 1,
                          strcspn(strchr(line, ' ') + 1, "\r\n"), NULL,
                          &seed_len, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        seed_len != 32) {
        fault_set(f, FAULT_INVALID, NULL, "key file %s is malformed", path);
        goto done;
    }
    k = from_seed(seed, f);
    if (k && strcmp(k->kid, kid) != 0) {
        fault_set(f, FAULT_INVALID, NULL,
                  "key file %s names kid %s but holds %s", path, kid, k->kid);
        signer_free(k);
        k = NULL;
    }
done:
    if (fp)
        fclose(fp);
    sodium_free(line);
    sodium_free(seed);
    return k;
}

struct signer *signer_generate(struct fault *f)
{
    unsigned char *seed = sodium_malloc(32);
    struct signer *k = NULL;
    if (seed == NULL) {
        fault_set(f, FAULT_NOMEM, NULL, "out of memory");
        return NULL;
    }
    randombytes_buf(seed, 32);
    k = from_seed(seed, f);
    sodium_free(seed);
    return k;
}

int signer_save(const struct signer *k, const char *path, struct fault *f)
{
    unsigned char *seed = sodium_malloc(32);
    char *text = sodium_malloc(256);
    char tmp[4096];
    int rc = 0, fd = -1;
    if (seed == NULL || text == NULL) {
        rc = fault_set(f, FAULT_NOMEM, NULL, "out of memory");
        goto done;
    }
    crypto_sign_ed25519_sk_to_seed(seed, k->secret_key);
    char b64[SIGNER_PK_B64];
    sodium_bin2base64(b64, sizeof b64, seed, 32,
                      sodium_base64_VARIANT_ORIGINAL);
    int n = snprintf(text, 256, "%s %s\n", k->kid, b64);
    sodium_memzero(b64, sizeof b64);
    snprintf(tmp, sizeof tmp, "%s.new", path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
              0600);
    if (fd < 0 || fchmod(fd, 0600) != 0 || write(fd, text, (size_t)n) != n ||
        fsync(fd) != 0) {
        rc = fault_set(f, FAULT_INVALID, NULL, "cannot write key file %s: %s",
                       tmp, strerror(errno));
        goto done;
    }
    close(fd);
    fd = -1;
    if (rename(tmp, path) != 0)
        rc = fault_set(f, FAULT_INVALID, NULL, "cannot write key file %s: %s",
                       path, strerror(errno));
done:
    if (fd >= 0)
        close(fd);
    if (rc)
        unlink(tmp);
    sodium_free(text);
    sodium_free(seed);
    return rc;
}

void signer_sign(char out[SIGNER_SIG_B64], const struct signer *k,
                 const unsigned char *msg, size_t len)
{
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, NULL, msg, len, k->secret_key);
    sodium_bin2base64(out, SIGNER_SIG_B64, sig, sizeof sig,
                      sodium_base64_VARIANT_ORIGINAL);
}
