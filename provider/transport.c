#include "provider/internal.h"

#include "provider/stripe.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define ANSWER_MAX (1024 * 1024) /* a longer answer is not Stripe's */

static bool key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '.' || c == ':' ||
           c == '-';
}

bool stripe_key_ok(const char *k)
{
    size_t n = k ? strlen(k) : 0;
    if (n == 0 || n >= STRIPE_IDEM_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!key_char(k[i]))
            return false;
    return true;
}

/* An id that goes into a path: [A-Za-z0-9_], 1..STRIPE_ID_MAX-1. */
int stripe_check_id(const char *id, const char *field, struct fault *f)
{
    size_t n = id ? strlen(id) : 0;
    bool ok = n > 0 && n < STRIPE_ID_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = (id[i] >= 'a' && id[i] <= 'z') || (id[i] >= 'A' && id[i] <= 'Z') ||
             (id[i] >= '0' && id[i] <= '9') || id[i] == '_';
    return ok ? 0 : fault_set(f, FAULT_INVALID, field, "not a Stripe id");
}

/* A value that only goes into a form body (escaped): printable ASCII. */
int stripe_check_text(const char *v, size_t max, const char *field,
                      struct fault *f)
{
    size_t n = v ? strlen(v) : 0;
    bool ok = n > 0 && n <= max;
    for (size_t i = 0; ok && i < n; i++)
        ok = v[i] >= ' ' && v[i] <= '~';
    return ok ? 0 : fault_set(f, FAULT_INVALID, field, "not acceptable");
}

/* application/x-www-form-urlencoded: name=value pairs, values escaped. */
void stripe_form_add(struct buf *b, const char *name, const char *value)
{
    static const char hex[] = "0123456789ABCDEF";
    if (b->len)
        buf_putc(b, '&');
    buf_puts(b, name); /* our own names: "metadata[pledge_id]" is sent as
                          Stripe's libraries send it */
    buf_putc(b, '=');
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || strchr("-._~", *p)) {
            buf_putc(b, (char)*p);
        } else {
            buf_putc(b, '%');
            buf_putc(b, hex[*p >> 4]);
            buf_putc(b, hex[*p & 15]);
        }
    }
}

struct answer {
    struct buf body;
    bool too_long;
    struct stripe_call *call;
};

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
    struct answer *a = ctx;
    if (a->body.len + n > ANSWER_MAX) {
        a->too_long = true;
        return 0; /* aborts the transfer */
    }
    buf_append(&a->body, p, n);
    (void)size; /* always 1 */
    return buf_failed(&a->body) ? 0 : n;
}

/* Copies a header's value (blanks and CRLF trimmed) if its name is name. */
static bool header_value(char *out, size_t cap, const char *line, size_t n,
                         const char *name)
{
    size_t l = strlen(name);
    if (n <= l || strncasecmp(line, name, l) != 0 || line[l] != ':')
        return false;
    const char *v = line + l + 1, *end = line + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    size_t vl = (size_t)(end - v) < cap - 1 ? (size_t)(end - v) : cap - 1;
    memcpy(out, v, vl);
    out[vl] = '\0';
    return true;
}

static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
    struct answer *a = ctx;
    char v[16];
    (void)size;
    header_value(a->call->request_id, sizeof a->call->request_id, p, n,
                 "Request-Id");
    if (header_value(v, sizeof v, p, n, "Idempotent-Replayed"))
        a->call->replayed = strcasecmp(v, "true") == 0;
    return n;
}

/* One exchange. Returns the CURLcode; *status is the HTTP status. */
static CURLcode exchange(long *status, struct answer *a, struct stripe *s,
                         const char *method, const char *url,
                         const struct buf *form, const char *idem_key)
{
    CURLcode rc = CURLE_OUT_OF_MEMORY;
    struct curl_slist *headers = NULL, *h;
    char line[600];
    CURL *c = curl_easy_init();
    *status = 0;
    if (c == NULL)
        goto done;
    snprintf(line, sizeof line, "Authorization: Bearer %s", s->secret_key);
    headers = curl_slist_append(headers, line);
    sodium_memzero(line, sizeof line);
    if (idem_key) {
        snprintf(line, sizeof line, "Idempotency-Key: %s", idem_key);
        if ((h = curl_slist_append(headers, line)) == NULL)
            goto done;
        headers = h;
    }
    if (headers == NULL)
        goto done;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, s->connect_timeout_ms);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, s->timeout_ms);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "pledged (libcurl)");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
    if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)form->len);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, form->data);
    }
    rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
done:
    /* curl keeps its own copies; ours, and the list's, are wiped. */
    for (h = headers; h; h = h->next)
        sodium_memzero(h->data, strlen(h->data));
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    return rc;
}

static void pause_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000,
                          .tv_nsec = (ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static bool retryable(long status)
{
    return status == 0 || status == 409 || status == 429 || status >= 500;
}

/* Copies a word of Stripe's error (code, type) if it is one: [a-z0-9_]. */
static void error_word(char *out, size_t cap, const json_t *err,
                       const char *key)
{
    const char *v = json_string_value(json_object_get(err, key));
    out[0] = '\0';
    if (v == NULL || strlen(v) >= cap)
        return;
    for (const char *p = v; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '_'))
            return;
    memcpy(out, v, strlen(v) + 1);
}

/* A 4xx that is not retried, as a fault. what names the object ("charge"). */
static int refused(struct stripe_call *call, long status, const json_t *body,
                   const char *what, struct fault *f)
{
    const json_t *err = json_object_get(body, "error");
    char param[STRIPE_WORD_MAX];
    error_word(call->error_type, sizeof call->error_type, err, "type");
    error_word(call->error_code, sizeof call->error_code, err, "code");
    error_word(call->decline_code, sizeof call->decline_code, err,
               "decline_code");
    error_word(param, sizeof param, err, "param");
    const char *code = call->error_code;
    if (status == 402 || strcmp(call->error_type, "card_error") == 0)
        return fault_set(f, FAULT_DECLINED, "card", "the card was declined");
    if (status == 401 || status == 403) {
        fault_set(f, FAULT_PROVIDER, NULL,
                  "Stripe refused our secret key (HTTP %ld)", status);
        fault_hint(f, "check PLEDGED_STRIPE_SECRET_KEY");
        return FAULT_PROVIDER;
    }
    if (status == 404)
        return fault_set(f, FAULT_NOT_FOUND, what, "no such %s at Stripe",
                         what);
    if (strcmp(call->error_type, "idempotency_error") == 0)
        return fault_set(f, FAULT_INTERNAL, "Idempotency-Key",
                         "an Idempotency-Key was reused for another "
                         "request to Stripe");
    if (strcmp(code, "charge_already_captured") == 0 ||
        strcmp(code, "charge_already_refunded") == 0 ||
        strcmp(code, "charge_disputed") == 0)
        return fault_set(f, FAULT_CONFLICT, what, "Stripe: %s", code);
    if (strcmp(param, "amount") == 0 || strcmp(code, "amount_too_small") == 0 ||
        strcmp(code, "amount_too_large") == 0)
        return fault_set(f, FAULT_INVALID, "amount_minor",
                         "Stripe refused the amount%s%s", code[0] ? ": " : "",
                         code);
    if (status == 400 && param[0])
        return fault_set(f, FAULT_INVALID, param, "Stripe refused %s%s%s",
                         param, code[0] ? ": " : "", code);
    return fault_set(f, FAULT_INTERNAL, NULL,
                     "Stripe answered HTTP %ld (%s%s%s)", status,
                     call->error_type[0] ? call->error_type : "no type",
                     code[0] ? " " : "", code);
}

/* Sends the request, retrying as the header says. On 2xx, *out is the
 * answer (caller decrefs). On a refused request, *out is the error body
 * (or NULL) and the fault is set. */
int stripe_call_api(json_t **out, struct stripe_call *call, struct stripe *s,
                    const char *method, const char *path,
                    const struct buf *form, const char *idem_key,
                    const char *what, struct fault *f)
{
    char url[URL_MAX + 2 * STRIPE_ID_MAX + 32];
    struct answer a = {.call = call};
    CURLcode rc = CURLE_OK;
    long status = 0;
    int ret = 0;
    *out = NULL;
    memset(call, 0, sizeof *call);
    if (buf_failed(form))
        return fault_set(f, FAULT_NOMEM, NULL, "out of memory");
    snprintf(url, sizeof url, "%s%s", s->api, path);
    buf_init(&a.body);
    for (unsigned t = 1; t <= s->tries; t++) {
        if (t > 1) {
            long wait = s->backoff_ms << (t - 2);
            pause_ms(wait +
                     (long)randombytes_uniform((uint32_t)(wait / 2 + 1)));
        }
        buf_reset(&a.body);
        a.too_long = false;
        call->tries = t;
        call->replayed = false;
        call->request_id[0] = '\0';
        rc = exchange(&status, &a, s, method, url, form, idem_key);
        call->status = status;
        if (rc == CURLE_OUT_OF_MEMORY || buf_failed(&a.body)) {
            ret = fault_set(f, FAULT_NOMEM, NULL, "out of memory");
            goto done;
        }
        if (a.too_long)
            break; /* not Stripe: trying again will not help */
        if (rc != CURLE_OK)
            status = 0;
        if (!retryable(status))
            break;
    }
    if (a.too_long || retryable(status)) {
        if (a.too_long)
            fault_set(f, FAULT_PROVIDER, NULL,
                      "Stripe's answer is over %d bytes", ANSWER_MAX);
        else if (rc != CURLE_OK)
            fault_set(f, FAULT_PROVIDER, NULL,
                      "Stripe could not be reached after %u tries (%s)",
                      call->tries, curl_easy_strerror(rc));
        else
            fault_set(f, FAULT_PROVIDER, NULL,
                      "Stripe answered HTTP %ld after %u tries", status,
                      call->tries);
        fault_hint(f, "try again later with the same Idempotency-Key");
        ret = FAULT_PROVIDER;
        goto done;
    }
    *out = json_loadb(a.body.data, a.body.len, 0, NULL);
    if (status >= 200 && status < 300) {
        if (!json_is_object(*out)) {
            ret = fault_set(f, FAULT_PROVIDER, NULL,
                            "Stripe's answer (HTTP %ld) is not a JSON object",
                            status);
            fault_hint(f, "try again later with the same Idempotency-Key");
        }
        goto done;
    }
    ret = refused(call, status, *out, what, f);
done:
    if (ret != 0 && *out && status >= 200 && status < 300) {
        json_decref(*out);
        *out = NULL;
    }
    buf_release(&a.body);
    return ret;
}
