#include "core/pledge.h"

#include "core/money.h"
#include "core/store.h"
#include "core/utf8.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

const char *pledge_kind_name(enum pledge_kind kind)
{
    return kind == PLEDGE_TIER ? "tier" : "custom";
}

bool idem_key_valid(const char *key, size_t len)
{
    if (key == NULL || len == 0 || len > IDEM_KEY_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        if (key[i] < 0x20 || key[i] > 0x7e)
            return false;
    return true;
}

static int check_text(const char *s, size_t len, size_t max_chars,
                      const char *field, struct fault *f)
{
    size_t chars;
    if (s == NULL)
        return 0;
    if (!utf8_valid(s, len, &chars))
        return fault_set(f, FAULT_INVALID, field,
                         "%s must be valid UTF-8 without NUL", field);
    if (chars > max_chars)
        return fault_set(f, FAULT_INVALID, field,
                         "%s is longer than %zu characters", field, max_chars);
    return 0;
}

int pledge_request_check(const struct pledge_request *req, struct fault *f)
{
    int rc;
    if ((rc = check_text(req->donor_name, req->donor_name_len,
                         PLEDGE_NAME_MAX, "donor_name", f)) ||
        (rc = check_text(req->donor_email, req->donor_email_len,
                         PLEDGE_EMAIL_MAX, "donor_email", f)) ||
        (rc = check_text(req->message, req->message_len, PLEDGE_MESSAGE_MAX,
                         "message", f)))
        return rc;
    if (req->donor_email && req->donor_email_len &&
        (memchr(req->donor_email, '@', req->donor_email_len) == NULL ||
         req->donor_email[0] == '@' ||
         req->donor_email[req->donor_email_len - 1] == '@'))
        return fault_set(f, FAULT_INVALID, "donor_email",
                         "donor_email must look like name@domain");
    if (req->currency &&
        (req->currency_len != 3 || currency_find(req->currency) == NULL))
        return fault_set(f, FAULT_INVALID, "currency",
                         "currency must be an ISO 4217 code we know");
    if (req->amount_minor < 0)
        return fault_set(f, FAULT_AMOUNT_RANGE, "amount_minor",
                         "amount_minor must not be negative");
    return 0;
}

static void copy_text(char *out, size_t cap, const char *s, size_t len)
{
    if (s == NULL || len >= cap)
        len = 0;
    if (len)
        memcpy(out, s, len);
    out[len] = '\0';
}

/* Replays what key recorded, if anything: 1 (replayed), 0 (new key), or a
 * fault. `want` is the resource this endpoint makes. */
static int replay(struct idem_record *rec, struct store *s,
                  const struct idem *idem, const char *want, struct fault *f)
{
    if (idem == NULL)
        return 0;
    int rc = store_idem_get(rec, s, idem->key, f);
    if (rc <= 0)
        return rc;
    if (strcmp(rec->resource, want) != 0 ||
        sodium_memcmp(rec->request_hash, idem->request_hash, 32) != 0)
        return fault_set(f, FAULT_IDEM_REUSED, NULL,
                         "this Idempotency-Key was used for another request");
    return 1;
}

/* Tries of a write that lost a race (campaign changed, key taken). */
#define PLEDGE_TRIES 3

int pledge_make(struct pledge *out, bool *replayed, struct store *s,
                const char *campaign_id, const struct pledge_request *req,
                const struct idem *idem, struct fault *f)
{
    struct idem_record rec;
    struct campaign c;
    *replayed = false;
    int rc = pledge_request_check(req, f);
    if (rc)
        return rc;
    for (int attempt = 0; attempt < PLEDGE_TRIES; attempt++) {
        struct fault local = {0};
        rc = replay(&rec, s, idem, "pledge", f);
        if (rc < 0)
            return rc;
        if (rc == 1) {
            *replayed = true;
            return store_pledge_get(out, s, rec.resource_id, f);
        }
        if ((rc = store_campaign_get(&c, NULL, s, campaign_id, f)) != 0 ||
            (rc = campaign_accepts(&c, clock_now_us(), f)) != 0)
            return rc;
        if (req->currency && strcmp(req->currency, c.currency) != 0)
            return fault_set(f, FAULT_CURRENCY, "currency",
                             "campaign %s takes %s only", c.id, c.currency);
        memset(out, 0, sizeof *out);
        if ((rc = campaign_classify(&out->kind, &c, req->amount_minor, f)))
            return rc;
        uuid_v4(out->id);
        memcpy(out->campaign_id, c.id, sizeof out->campaign_id);
        out->amount_minor = req->amount_minor;
        memcpy(out->currency, c.currency, sizeof out->currency);
        copy_text(out->donor_name, sizeof out->donor_name, req->donor_name,
                  req->donor_name_len);
        copy_text(out->donor_email, sizeof out->donor_email,
                  req->donor_email, req->donor_email_len);
        copy_text(out->message, sizeof out->message, req->message,
                  req->message_len);
        out->anonymous = req->anonymous;
        rc = store_pledge_append(out, s, c.version, idem, &local);
        if (rc != FAULT_CONFLICT && rc != FAULT_IDEM_IN_FLIGHT)
            return rc ? fault_set(f, rc, local.field, "%s", local.message)
                      : 0;
        /* Lost a race: the campaign changed or the key was just taken.
         * Read again; the next turn replays or re-checks the campaign. */
        if (attempt == PLEDGE_TRIES - 1)
            return fault_set(f, rc, local.field, "%s", local.message);
    }
    return rc;
}

int pledge_refund(struct refund *out, bool *replayed, struct store *s,
                  const char *pledge_id, const struct idem *idem,
                  struct fault *f)
{
    struct idem_record rec;
    *replayed = false;
    for (int attempt = 0; attempt < PLEDGE_TRIES; attempt++) {
        struct fault local = {0};
        int rc = replay(&rec, s, idem, "refund", f);
        if (rc < 0)
            return rc;
        if (rc == 1) {
            *replayed = true;
            return store_refund_get(out, s, rec.resource_id, f);
        }
        memset(out, 0, sizeof *out);
        uuid_v4(out->id);
        rc = store_refund_append(out, s, pledge_id, idem, &local);
        if (rc != FAULT_IDEM_IN_FLIGHT || attempt == PLEDGE_TRIES - 1)
            return rc ? fault_set(f, rc, local.field, "%s", local.message)
                      : 0;
    }
    return FAULT_INTERNAL;
}
