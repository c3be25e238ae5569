#include "core/pledge.h"

#include "core/money.h"
#include "core/text.h"
#include "core/utf8.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
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
                      const char *field, bool newlines, struct fault *f)
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
    if (text_has_controls(s, len, newlines))
        return fault_set(f, FAULT_INVALID, field,
                         newlines ? "%s must not hold control characters "
                                    "other than line breaks and tabs"
                                  : "%s must not hold control characters",
                         field);
    return 0;
}

int pledge_request_check(const struct pledge_request *req, struct fault *f)
{
    int rc;
    if ((rc = check_text(req->donor_name, req->donor_name_len,
                         PLEDGE_NAME_MAX, "donor_name", false, f)) ||
        (rc = check_text(req->donor_email, req->donor_email_len,
                         PLEDGE_EMAIL_MAX, "donor_email", false, f)) ||
        (rc = check_text(req->message, req->message_len, PLEDGE_MESSAGE_MAX,
                         "message", true, f)) ||
        (rc = source_check(&req->source, f)))
        return rc;
    if (req->donor_email && req->donor_email_len &&
        !text_email_valid(req->donor_email, req->donor_email_len))
        return fault_set(f, FAULT_INVALID, "donor_email",
                         "donor_email must be an address like "
                         "name@example.org (ASCII, as web forms take it)");
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

int pledge_fill(struct pledge *p, const struct campaign *c,
                const struct pledge_request *req, struct fault *f)
{
    int rc = campaign_accepts(c, clock_now_us(), f);
    if (rc)
        return rc;
    if (req->currency && strcmp(req->currency, c->currency) != 0)
        return fault_set(f, FAULT_CURRENCY, "currency",
                         "campaign %s takes %s only", c->id, c->currency);
    if ((rc = campaign_classify(&p->kind, c, req->amount_minor, f)) != 0)
        return rc;
    p->amount_minor = req->amount_minor;
    memcpy(p->currency, c->currency, sizeof p->currency);
    copy_text(p->donor_name, sizeof p->donor_name, req->donor_name,
              req->donor_name_len);
    copy_text(p->donor_email, sizeof p->donor_email, req->donor_email,
              req->donor_email_len);
    /* Line breaks are stored as LF alone. */
    if (req->message && req->message_len < sizeof p->message)
        text_normalise_newlines(p->message, sizeof p->message, req->message,
                                req->message_len);
    else
        p->message[0] = '\0';
    p->anonymous = req->anonymous;
    source_fill(&p->source, &req->source);
    return 0;
}

bool idem_matches(const struct idem *idem, const unsigned char recorded[32],
                  const char *resource, const char *want)
{
    return strcmp(resource, want) == 0 &&
           sodium_memcmp(recorded, idem->request_hash, 32) == 0;
}
