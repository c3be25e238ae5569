#include "core/stripe_event.h"

#include "core/money.h"

#include <stdio.h>
#include <string.h>

/* Field readers: obj is the object holding key, path its JSON path for
 * faults. Each returns 0 or FAULT_INVALID. */
enum need { OPTIONAL, REQUIRED };

static int bad(struct fault *f, const char *path, const char *key,
               const char *what)
{
    char field[sizeof f->field];
    snprintf(field, sizeof field, "%s%s%s", path, path[0] ? "." : "", key);
    return fault_set(f, FAULT_INVALID, field, "%s %s", field, what);
}

/* A string member: absent or null reads as "" unless required. */
static int get_text(char *out, size_t cap, const json_t *obj, const char *key,
                    enum need need, const char *path, struct fault *f)
{
    out[0] = '\0';
    const json_t *v = json_object_get(obj, key);
    if (v == NULL || json_is_null(v))
        return need == REQUIRED ? bad(f, path, key, "is missing") : 0;
    if (!json_is_string(v))
        return bad(f, path, key, "is not a string");
    size_t n = json_string_length(v);
    const char *s = json_string_value(v);
    if (n >= cap || strlen(s) != n)
        return bad(f, path, key, "is too long or holds a NUL");
    memcpy(out, s, n + 1);
    return 0;
}

static bool id_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_';
}

/* A Stripe id: [A-Za-z0-9_]+. */
static int get_id(char *out, size_t cap, const json_t *obj, const char *key,
                  enum need need, const char *path, struct fault *f)
{
    int rc = get_text(out, cap, obj, key, need, path, f);
    if (rc != 0)
        return rc;
    if (need == REQUIRED && out[0] == '\0')
        return bad(f, path, key, "is empty");
    for (const char *p = out; *p; p++)
        if (!id_char(*p)) {
            out[0] = '\0';
            return bad(f, path, key, "is not a Stripe id");
        }
    return 0;
}

/* A word (status, code): printable ASCII, no blanks. */
static int get_word(char *out, size_t cap, const json_t *obj, const char *key,
                    enum need need, const char *path, struct fault *f)
{
    int rc = get_text(out, cap, obj, key, need, path, f);
    if (rc != 0)
        return rc;
    for (const char *p = out; *p; p++)
        if (*p <= ' ' || *p > '~') {
            out[0] = '\0';
            return bad(f, path, key, "is not a word");
        }
    return 0;
}

/* An amount in minor units or a time: an integer in 0..MONEY_MAX_EXACT. *out is
 * set to absent when the member is absent or null. */
static int get_count(int64_t *out, int64_t absent, const json_t *obj,
                     const char *key, enum need need, const char *path,
                     struct fault *f)
{
    *out = absent;
    const json_t *v = json_object_get(obj, key);
    if (v == NULL || json_is_null(v))
        return need == REQUIRED ? bad(f, path, key, "is missing") : 0;
    if (!json_is_integer(v))
        return bad(f, path, key, "is not an integer");
    json_int_t n = json_integer_value(v);
    if (n < 0 || n > MONEY_MAX_EXACT)
        return bad(f, path, key, "is out of range");
    *out = (int64_t)n;
    return 0;
}

static int get_bool(bool *out, const json_t *obj, const char *key,
                    enum need need, const char *path, struct fault *f)
{
    *out = false;
    const json_t *v = json_object_get(obj, key);
    if (v == NULL)
        return need == REQUIRED ? bad(f, path, key, "is missing") : 0;
    if (!json_is_boolean(v))
        return bad(f, path, key, "is not a boolean");
    *out = json_is_true(v);
    return 0;
}

/* A currency: three ASCII letters, returned in upper case; null allowed
 * only when optional (""). */
static int get_currency(char out[4], const json_t *obj, const char *key,
                        enum need need, const char *path, struct fault *f)
{
    char s[8];
    int rc = get_text(s, sizeof s, obj, key, need, path, f);
    if (rc != 0)
        return rc;
    out[0] = '\0';
    if (s[0] == '\0')
        return need == REQUIRED ? bad(f, path, key, "is empty") : 0;
    if (strlen(s) != 3)
        return bad(f, path, key, "is not a currency code");
    for (int i = 0; i < 3; i++) {
        char c = s[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (c < 'A' || c > 'Z')
            return bad(f, path, key, "is not a currency code");
        out[i] = c;
    }
    out[3] = '\0';
    return 0;
}

/* An optional object member (absent or null: NULL in *out). */
static int get_object(const json_t **out, const json_t *obj, const char *key,
                      const char *path, struct fault *f)
{
    const json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_object(v))
        return bad(f, path, key, "is not an object");
    *out = v;
    return 0;
}

/* obj must be an object whose "object" is want. */
static int check_object(const json_t *obj, const char *want, const char *path,
                        struct fault *f)
{
    if (!json_is_object(obj))
        return fault_set(f, FAULT_INVALID, path, "%s is not an object", path);
    const char *kind = json_string_value(json_object_get(obj, "object"));
    if (kind == NULL || strcmp(kind, want) != 0) {
        char field[sizeof f->field];
        snprintf(field, sizeof field, "%s.object", path);
        return fault_set(f, FAULT_INVALID, field, "%s is not \"%s\"", field,
                         want);
    }
    return 0;
}

int stripe_event_charge(struct stripe_charge *out, const json_t *obj,
                        const char *path, struct fault *f)
{
    memset(out, 0, sizeof *out);
    int rc = check_object(obj, "charge", path, f);
    const json_t *meta = NULL, *details = NULL;
    if (rc == 0)
        rc = get_id(out->id, sizeof out->id, obj, "id", REQUIRED, path, f);
    if (rc == 0)
        rc = get_count(&out->amount, 0, obj, "amount", REQUIRED, path, f);
    if (rc == 0)
        rc = get_count(&out->amount_refunded, 0, obj, "amount_refunded",
                       REQUIRED, path, f);
    if (rc == 0)
        rc = get_currency(out->currency, obj, "currency", REQUIRED, path, f);
    if (rc == 0)
        rc = get_bool(&out->paid, obj, "paid", REQUIRED, path, f);
    if (rc == 0)
        rc = get_bool(&out->captured, obj, "captured", REQUIRED, path, f);
    if (rc == 0)
        rc = get_bool(&out->refunded, obj, "refunded", OPTIONAL, path, f);
    if (rc == 0)
        rc = get_word(out->status, sizeof out->status, obj, "status", OPTIONAL,
                      path, f);
    if (rc == 0)
        rc = get_word(out->failure_code, sizeof out->failure_code, obj,
                      "failure_code", OPTIONAL, path, f);
    if (rc == 0)
        rc = get_id(out->customer, sizeof out->customer, obj, "customer",
                    OPTIONAL, path, f);
    if (rc == 0)
        rc = get_id(out->payment_intent, sizeof out->payment_intent, obj,
                    "payment_intent", OPTIONAL, path, f);
    if (rc == 0)
        rc = get_object(&details, obj, "payment_method_details", path, f);
    if (rc == 0 && details) {
        char sub[sizeof f->field];
        snprintf(sub, sizeof sub, "%s.payment_method_details", path);
        rc = get_word(out->method, sizeof out->method, details, "type",
                      OPTIONAL, sub, f);
    }
    if (rc == 0)
        rc = get_object(&meta, obj, "metadata", path, f);
    if (rc == 0 && meta) {
        char sub[sizeof f->field];
        snprintf(sub, sizeof sub, "%s.metadata", path);
        rc = get_text(out->pledge_id, sizeof out->pledge_id, meta, "pledge_id",
                      OPTIONAL, sub, f);
    }
    return rc;
}

int stripe_event_refund(struct stripe_refund *out, const json_t *obj,
                        const char *path, struct fault *f)
{
    memset(out, 0, sizeof *out);
    int rc = check_object(obj, "refund", path, f);
    if (rc == 0)
        rc = get_id(out->id, sizeof out->id, obj, "id", REQUIRED, path, f);
    if (rc == 0)
        rc = get_count(&out->amount, 0, obj, "amount", REQUIRED, path, f);
    if (rc == 0)
        rc = get_currency(out->currency, obj, "currency", REQUIRED, path, f);
    if (rc == 0)
        rc = get_word(out->status, sizeof out->status, obj, "status", OPTIONAL,
                      path, f);
    if (rc == 0)
        rc = get_id(out->charge, sizeof out->charge, obj, "charge", OPTIONAL,
                    path, f);
    return rc;
}

static int read_session(struct stripe_session *out, const json_t *obj,
                        const char *path, struct fault *f)
{
    int rc = check_object(obj, "checkout.session", path, f);
    if (rc == 0)
        rc = get_id(out->id, sizeof out->id, obj, "id", REQUIRED, path, f);
    if (rc == 0)
        rc = get_text(out->client_reference_id, sizeof out->client_reference_id,
                      obj, "client_reference_id", OPTIONAL, path, f);
    if (rc == 0)
        rc = get_count(&out->amount_total, -1, obj, "amount_total", OPTIONAL,
                       path, f);
    if (rc == 0)
        rc = get_currency(out->currency, obj, "currency", OPTIONAL, path, f);
    if (rc == 0)
        rc = get_word(out->payment_status, sizeof out->payment_status, obj,
                      "payment_status", REQUIRED, path, f);
    if (rc == 0)
        rc = get_word(out->status, sizeof out->status, obj, "status", OPTIONAL,
                      path, f);
    if (rc == 0)
        rc = get_id(out->payment_intent, sizeof out->payment_intent, obj,
                    "payment_intent", OPTIONAL, path, f);
    return rc;
}

static int read_dispute(struct stripe_dispute *out, const json_t *obj,
                        const char *path, struct fault *f)
{
    int rc = check_object(obj, "dispute", path, f);
    if (rc == 0)
        rc = get_id(out->id, sizeof out->id, obj, "id", REQUIRED, path, f);
    if (rc == 0)
        rc = get_id(out->charge, sizeof out->charge, obj, "charge", REQUIRED,
                    path, f);
    if (rc == 0)
        rc = get_count(&out->amount, 0, obj, "amount", REQUIRED, path, f);
    if (rc == 0)
        rc = get_currency(out->currency, obj, "currency", REQUIRED, path, f);
    if (rc == 0)
        rc = get_word(out->reason, sizeof out->reason, obj, "reason", OPTIONAL,
                      path, f);
    if (rc == 0)
        rc = get_word(out->status, sizeof out->status, obj, "status", OPTIONAL,
                      path, f);
    return rc;
}

/* The families we read, first match wins: a dispute's and a refund's
 * events also begin with "charge.". */
static const struct {
    const char *prefix;
    enum stripe_event_kind kind;
} families[] = {
    {"charge.dispute.", STRIPE_EVENT_DISPUTE},
    {"charge.refund.", STRIPE_EVENT_OTHER}, /* a refund object */
    {"charge.", STRIPE_EVENT_CHARGE},
    {"checkout.session.", STRIPE_EVENT_SESSION},
};

static bool type_ok(const char *t)
{
    if (t[0] == '\0')
        return false;
    for (const char *p = t; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '.'))
            return false;
    return true;
}

int stripe_event_parse(struct stripe_event *out, const char *json, size_t len,
                       struct fault *f)
{
    memset(out, 0, sizeof *out);
    json_error_t err;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &err);
    int rc = 0;
    char object[16];
    if (root == NULL || !json_is_object(root)) {
        rc = fault_set(f, FAULT_INVALID, NULL,
                       "the event is not a JSON "
                       "object");
        goto done;
    }
    rc = get_word(object, sizeof object, root, "object", REQUIRED, "", f);
    if (rc == 0 && strcmp(object, "event") != 0)
        rc = bad(f, "", "object", "is not \"event\"");
    if (rc == 0)
        rc = get_id(out->id, sizeof out->id, root, "id", REQUIRED, "", f);
    if (rc == 0)
        rc = get_text(out->type, sizeof out->type, root, "type", REQUIRED, "",
                      f);
    if (rc == 0 && !type_ok(out->type))
        rc = bad(f, "", "type", "is not an event type");
    if (rc == 0)
        rc = get_count(&out->created, 0, root, "created", REQUIRED, "", f);
    if (rc == 0)
        rc = get_bool(&out->livemode, root, "livemode", OPTIONAL, "", f);
    if (rc != 0)
        goto done;

    out->kind = STRIPE_EVENT_OTHER;
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
        if (strncmp(out->type, families[i].prefix,
                    strlen(families[i].prefix)) == 0) {
            out->kind = families[i].kind;
            break;
        }
    if (out->kind == STRIPE_EVENT_OTHER)
        goto done;

    const json_t *data = json_object_get(root, "data");
    if (!json_is_object(data)) {
        rc = fault_set(f, FAULT_INVALID, "data", "data is not an object");
        goto done;
    }
    const json_t *obj = json_object_get(data, "object");
    if (out->kind == STRIPE_EVENT_CHARGE)
        rc = stripe_event_charge(&out->charge, obj, "data.object", f);
    else if (out->kind == STRIPE_EVENT_SESSION)
        rc = read_session(&out->session, obj, "data.object", f);
    else
        rc = read_dispute(&out->dispute, obj, "data.object", f);
done:
    json_decref(root);
    return rc;
}
