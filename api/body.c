/* Request bodies: content type, JSON parsing and signed documents. */
#include "api/http.h"
#include "core/pledge.h"
#include "core/receipt.h"

#include <sodium.h>

#include <string.h>
#include <strings.h>

static bool is_json(const char *ct)
{
    if (ct == NULL)
        return false;
    size_t n = strcspn(ct, "; \t");
    return n == strlen("application/json") &&
           strncasecmp(ct, "application/json", n) == 0;
}

/* The top-level object key whose value holds byte pos of s (a text that
 * jansson parsed without error up to pos): false when there is none. The
 * key is unescaped for \" and \\ only, and cut to fit. */
static bool key_at(char *key, size_t cap, const char *s, size_t pos)
{
    int depth = 0;
    bool found = false;
    for (size_t i = 0; i < pos; i++) {
        if (s[i] == '{' || s[i] == '[') {
            depth++;
        } else if (s[i] == '}' || s[i] == ']') {
            depth--;
        } else if (s[i] == '"') {
            size_t start = ++i;
            while (i < pos && s[i] != '"')
                i += s[i] == '\\' ? 2 : 1;
            size_t j = i + 1;
            while (j < pos && strchr(" \t\r\n", s[j]))
                j++;
            if (depth != 1 || j >= pos || s[j] != ':')
                continue;
            size_t n = 0;
            for (size_t k = start; k < i && n + 1 < cap; k++)
                key[n++] = s[k] == '\\' && k + 1 < i ? s[++k] : s[k];
            key[n] = '\0';
            found = true;
        }
    }
    return found;
}

json_t *request_json(struct reply *out, const struct request *req)
{
    if (!is_json(req->header(req, "Content-Type"))) {
        reply_error(out, 415, "unsupported_media_type", NULL,
                    "send the body as application/json");
        return NULL;
    }
    if (memchr(req->body, '\0', req->body_len) != NULL) {
        reply_error(out, 400, "invalid_json", NULL,
                    "malformed JSON: NUL byte in the body");
        return NULL;
    }
    json_error_t err;
    /* jansson refuses invalid UTF-8 and \u0000 in strings; depth is bounded
     * by the 16 KiB body limit. */
    json_t *v = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES,
                           &err);
    if (v == NULL) {
        char key[64];
        if (strstr(err.text, "too big") != NULL) {
            bool named = err.position > 0 &&
                         key_at(key, sizeof key, req->body,
                                (size_t)err.position);
            bool amount = named && strcmp(key, "amount_minor") == 0;
            reply_error(out, 422,
                        amount ? "amount_out_of_range" : "invalid_value",
                        named ? key : NULL,
                        "integer outside the 64-bit range");
            return NULL;
        }
        char msg[220];
        snprintf(msg, sizeof msg, "malformed JSON: %s", err.text);
        reply_error(out, 400, "invalid_json", NULL, msg);
    }
    return v;
}

json_t *signed_doc_json(const struct signed_doc *d, const char *name)
{
    json_t *body = json_loads(d->body, 0, NULL);
    if (body == NULL)
        return NULL;
    return json_pack("{s:o, s:s}", name, body, "signature", d->signature);
}

/* The Idempotency-Key and the hash of what makes this request itself. */
int request_idem(struct idem *idem, struct reply *out,
                 const struct request *req)
{
    const char *key = req->header(req, "Idempotency-Key");
    if (key == NULL) {
        reply_error(out, 400, "idempotency_key_required", NULL,
                    "send an Idempotency-Key header (1-255 printable ASCII)");
        return -1;
    }
    if (!idem_key_valid(key, strlen(key))) {
        reply_error(out, 400, "idempotency_key_invalid", NULL,
                    "the Idempotency-Key must be 1-255 printable ASCII");
        return -1;
    }
    idem->key = key;
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, (const unsigned char *)req->method,
                              strlen(req->method) + 1);
    crypto_generichash_update(&st, (const unsigned char *)req->path,
                              strlen(req->path) + 1);
    crypto_generichash_update(&st, (const unsigned char *)req->body,
                              req->body_len);
    crypto_generichash_final(&st, idem->request_hash, 32);
    return 0;
}

