#include "provider/stripe.h"

#include "provider/internal.h"

#include <curl/curl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void curl_init(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_ALL);
}

/* The scheme and host of a base URL: https anywhere, http on loopback
 * only; no path, query or credentials. */
static bool api_ok(const char *url)
{
    const char *host;
    bool plain = false;
    if (strncmp(url, "https://", 8) == 0)
        host = url + 8;
    else if (strncmp(url, "http://", 7) == 0)
        host = url + 7, plain = true;
    else
        return false;
    size_t n = strlen(host);
    if (n == 0 || strlen(url) > URL_MAX)
        return false;
    for (const char *p = host; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || strchr(".-:[]", *p)))
            return false;
    if (!plain)
        return true;
    static const char *const loopback[] = {"127.0.0.1", "localhost", "[::1]"};
    for (size_t i = 0; i < sizeof loopback / sizeof *loopback; i++) {
        size_t l = strlen(loopback[i]);
        if (strncmp(host, loopback[i], l) == 0 &&
            (host[l] == '\0' || host[l] == ':'))
            return true;
    }
    return false;
}

struct stripe *stripe_new(const struct stripe_options *opts, struct fault *f)
{
    struct stripe *s = NULL;
    const char *api =
        opts->api && opts->api[0] ? opts->api : STRIPE_API_DEFAULT;
    char base[URL_MAX + 1];
    size_t klen = opts->secret_key ? strlen(opts->secret_key) : 0;
    if (klen == 0 || klen > 512) {
        fault_set(f, FAULT_INVALID, "PLEDGED_STRIPE_SECRET_KEY",
                  "no usable Stripe secret key");
        return NULL;
    }
    for (size_t i = 0; i < klen; i++)
        if (opts->secret_key[i] <= ' ' || opts->secret_key[i] > '~') {
            fault_set(f, FAULT_INVALID, "PLEDGED_STRIPE_SECRET_KEY",
                      "the Stripe secret key holds a blank or a control "
                      "character");
            return NULL;
        }
    snprintf(base, sizeof base, "%s", api);
    size_t blen = strlen(base);
    while (blen > 0 && base[blen - 1] == '/')
        base[--blen] = '\0';
    if (strlen(api) > URL_MAX || !api_ok(base)) {
        fault_set(f, FAULT_INVALID, "PLEDGED_STRIPE_API",
                  "not a base URL we send a key to (https://HOST[:PORT], or "
                  "http:// to a loopback address)");
        return NULL;
    }
    pthread_once(&curl_once, curl_init);
    if (curl_init_rc != CURLE_OK) {
        fault_set(f, FAULT_INTERNAL, NULL, "curl_global_init failed");
        return NULL;
    }
    s = calloc(1, sizeof *s);
    if (s == NULL || (s->secret_key = sodium_malloc(klen + 1)) == NULL) {
        free(s);
        fault_set(f, FAULT_NOMEM, NULL, "out of memory");
        return NULL;
    }
    memcpy(s->secret_key, opts->secret_key, klen + 1);
    memcpy(s->api, base, blen + 1);
    s->connect_timeout_ms =
        opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms : 5000;
    s->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : 15000;
    s->tries = opts->tries > 0 ? opts->tries : 4;
    s->backoff_ms = opts->backoff_ms > 0 ? opts->backoff_ms : 500;
    return s;
}

struct stripe *stripe_from_env(struct fault *f)
{
    const char *key = getenv("PLEDGED_STRIPE_SECRET_KEY");
    if (key == NULL || key[0] == '\0') {
        fault_set(f, FAULT_NOT_FOUND, "PLEDGED_STRIPE_SECRET_KEY",
                  "Stripe is not configured");
        return NULL;
    }
    struct stripe_options o = {.api = getenv("PLEDGED_STRIPE_API"),
                               .secret_key = key};
    return stripe_new(&o, f);
}

void stripe_free(struct stripe *s)
{
    if (s == NULL)
        return;
    sodium_free(s->secret_key); /* wipes it */
    free(s);
}

int stripe_idem_key(char out[STRIPE_IDEM_MAX], const char *op, const char *id,
                    struct fault *f)
{
    int n = snprintf(out, STRIPE_IDEM_MAX, "pledged-%s-%s", op, id);
    if (n < 0 || n >= STRIPE_IDEM_MAX || !stripe_key_ok(out)) {
        out[0] = '\0';
        return fault_set(f, FAULT_INVALID, "Idempotency-Key",
                         "an Idempotency-Key must be 1..255 characters of "
                         "[A-Za-z0-9_.:-]");
    }
    return 0;
}

/* Each call below checks its arguments and copies them into its form and
 * path before it touches its output, so that an output may alias an input
 * (stripe_charge_get(&ch, ..., ch.id, ...)). */

int stripe_customer_create(char customer_id[STRIPE_ID_MAX],
                           struct stripe_call *call, struct stripe *s,
                           const char *card_token, const char *idem_key,
                           struct fault *f)
{
    struct stripe_call local;
    struct buf form;
    json_t *answer = NULL;
    int rc = stripe_check_text(card_token, 255, "card_token", f);
    if (rc == 0 && !stripe_key_ok(idem_key))
        rc = fault_set(f, FAULT_INVALID, "Idempotency-Key", "not a key");
    if (rc != 0) {
        customer_id[0] = '\0';
        return rc;
    }
    buf_init(&form);
    stripe_form_add(&form, "source", card_token);
    customer_id[0] = '\0';
    rc = stripe_call_api(&answer, call ? call : &local, s, "POST",
                         "/v1/customers", &form, idem_key, "customer", f);
    if (rc == 0) {
        const char *id = json_string_value(json_object_get(answer, "id"));
        if (stripe_check_id(id, "customer", NULL) != 0)
            rc = fault_set(f, FAULT_PROVIDER, NULL,
                           "Stripe's customer has no id");
        else
            snprintf(customer_id, STRIPE_ID_MAX, "%s", id);
    }
    json_decref(answer);
    buf_release(&form);
    return rc;
}

/* Reads a charge answer; a charge we cannot read is FAULT_PROVIDER. */
static int read_charge(struct stripe_charge *out, const json_t *answer,
                       struct fault *f)
{
    struct fault why = {0};
    if (stripe_event_charge(out, answer, "charge", &why) == 0)
        return 0;
    memset(out, 0, sizeof *out);
    return fault_set(f, FAULT_PROVIDER, NULL, "Stripe's charge: %s",
                     why.message);
}

static int charge_form(struct buf *form, char currency[4],
                       const struct stripe_charge_request *req, struct fault *f)
{
    char amount[24];
    int rc = 0;
    if (req->amount <= 0)
        return fault_set(f, FAULT_INVALID, "amount_minor", "must be > 0");
    if (req->currency == NULL || strlen(req->currency) != 3)
        return fault_set(f, FAULT_INVALID, "currency", "not a currency");
    for (int i = 0; i < 4; i++) {
        char c = req->currency[i];
        currency[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
        if (i < 3 && (currency[i] < 'a' || currency[i] > 'z'))
            return fault_set(f, FAULT_INVALID, "currency", "not a currency");
    }
    if ((req->customer == NULL) == (req->source == NULL))
        return fault_set(f, FAULT_INVALID, "customer",
                         "exactly one of customer and source");
    if (req->customer)
        rc = stripe_check_id(req->customer, "customer", f);
    else
        rc = stripe_check_text(req->source, 255, "source", f);
    if (rc == 0)
        rc = stripe_check_text(req->pledge_id, 500, "pledge_id", f);
    if (rc == 0 && req->description)
        rc = stripe_check_text(req->description, 500, "description", f);
    if (rc != 0)
        return rc;
    snprintf(amount, sizeof amount, "%" PRId64, req->amount);
    stripe_form_add(form, "amount", amount);
    stripe_form_add(form, "currency", currency);
    if (req->customer)
        stripe_form_add(form, "customer", req->customer);
    else
        stripe_form_add(form, "source", req->source);
    stripe_form_add(form, "capture", req->capture ? "true" : "false");
    stripe_form_add(form, "metadata[pledge_id]", req->pledge_id);
    if (req->description)
        stripe_form_add(form, "description", req->description);
    return 0;
}

int stripe_charge_create(struct stripe_charge *out, struct stripe_call *call,
                         struct stripe *s,
                         const struct stripe_charge_request *req,
                         const char *idem_key, struct fault *f)
{
    struct stripe_call local;
    struct buf form;
    json_t *answer = NULL;
    char currency[4];
    int64_t amount = req->amount;
    if (call == NULL)
        call = &local;
    buf_init(&form);
    int rc = charge_form(&form, currency, req, f);
    if (rc == 0 && !stripe_key_ok(idem_key))
        rc = fault_set(f, FAULT_INVALID, "Idempotency-Key", "not a key");
    memset(out, 0, sizeof *out);
    if (rc != 0)
        goto done;
    rc = stripe_call_api(&answer, call, s, "POST", "/v1/charges", &form,
                         idem_key, "charge", f);
    if (rc == 0) {
        rc = read_charge(out, answer, f);
    } else if (rc == FAULT_DECLINED) {
        const json_t *err = json_object_get(answer, "error");
        const char *id = json_string_value(json_object_get(err, "charge"));
        if (id && stripe_check_id(id, "charge", NULL) == 0)
            snprintf(out->id, sizeof out->id, "%s", id);
        snprintf(out->status, sizeof out->status, "failed");
        snprintf(out->failure_code, sizeof out->failure_code, "%s",
                 call->error_code[0] ? call->error_code : "card_declined");
        out->amount = amount;
        for (int i = 0; i < 3; i++)
            out->currency[i] = (char)(currency[i] - 'a' + 'A');
    }
done:
    json_decref(answer);
    buf_release(&form);
    return rc;
}

/* A call about one charge: /v1/charges/{id}{suffix}, a POST with an empty
 * body or a GET. */
static int charge_call(struct stripe_charge *out, struct stripe_call *call,
                       struct stripe *s, const char *method, const char *suffix,
                       const char *charge_id, const char *idem_key,
                       struct fault *f)
{
    struct stripe_call local;
    struct buf form;
    char path[STRIPE_ID_MAX + 32];
    json_t *answer = NULL;
    int rc = stripe_check_id(charge_id, "charge", f);
    if (rc == 0 && idem_key && !stripe_key_ok(idem_key))
        rc = fault_set(f, FAULT_INVALID, "Idempotency-Key", "not a key");
    if (rc == 0)
        snprintf(path, sizeof path, "/v1/charges/%s%s", charge_id, suffix);
    memset(out, 0, sizeof *out);
    if (rc != 0)
        return rc;
    buf_init(&form);
    rc = stripe_call_api(&answer, call ? call : &local, s, method, path, &form,
                         idem_key, "charge", f);
    if (rc == 0)
        rc = read_charge(out, answer, f);
    json_decref(answer);
    buf_release(&form);
    return rc;
}

int stripe_charge_capture(struct stripe_charge *out, struct stripe_call *call,
                          struct stripe *s, const char *charge_id,
                          const char *idem_key, struct fault *f)
{
    if (idem_key == NULL)
        return fault_set(f, FAULT_INVALID, "Idempotency-Key", "not a key");
    return charge_call(out, call, s, "POST", "/capture", charge_id, idem_key,
                       f);
}

int stripe_charge_get(struct stripe_charge *out, struct stripe_call *call,
                      struct stripe *s, const char *charge_id, struct fault *f)
{
    return charge_call(out, call, s, "GET", "", charge_id, NULL, f);
}

int stripe_refund_create(struct stripe_refund *out, struct stripe_call *call,
                         struct stripe *s, const char *charge_id,
                         int64_t amount, const char *idem_key, struct fault *f)
{
    struct stripe_call local;
    struct buf form;
    char text[24];
    json_t *answer = NULL;
    int rc = stripe_check_id(charge_id, "charge", f);
    if (rc == 0 && amount < 0)
        rc = fault_set(f, FAULT_INVALID, "amount_minor", "must be >= 0");
    if (rc == 0 && !stripe_key_ok(idem_key))
        rc = fault_set(f, FAULT_INVALID, "Idempotency-Key", "not a key");
    buf_init(&form);
    if (rc == 0) {
        stripe_form_add(&form, "charge", charge_id);
        if (amount > 0) {
            snprintf(text, sizeof text, "%" PRId64, amount);
            stripe_form_add(&form, "amount", text);
        }
    }
    memset(out, 0, sizeof *out);
    if (rc != 0)
        goto done;
    rc = stripe_call_api(&answer, call ? call : &local, s, "POST",
                         "/v1/refunds", &form, idem_key, "charge", f);
    if (rc == 0) {
        struct fault why = {0};
        if (stripe_event_refund(out, answer, "refund", &why) != 0) {
            memset(out, 0, sizeof *out);
            rc = fault_set(f, FAULT_PROVIDER, NULL, "Stripe's refund: %s",
                           why.message);
        }
    }
done:
    json_decref(answer);
    buf_release(&form);
    return rc;
}
