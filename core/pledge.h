#ifndef PLEDGED_PLEDGE_H
#define PLEDGED_PLEDGE_H
/*
 * Pledges and refunds: the rules that turn a request into ledger entries.
 *
 * Text fields of struct pledge are inline arrays sized for the longest valid
 * value; "" means absent (a request's empty string is treated as absent).
 * A struct pledge owns no heap memory.
 *
 * Idempotency: with a non-NULL struct idem, the first request under a key is
 * executed and recorded with the hash of the request; a later request with
 * the same key and hash gets the same result back and changes nothing;
 * with another hash it fails with FAULT_IDEM_REUSED (app/pledging.h).
 */
#include "core/source.h"
#include "core/campaign.h"
#include "core/clock.h"
#include "core/fault.h"
#include "core/ledger.h"
#include "core/uuid.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PLEDGE_NAME_MAX 200     /* characters */
#define PLEDGE_EMAIL_MAX 254    /* characters */
#define PLEDGE_MESSAGE_MAX 1000 /* characters */
#define IDEM_KEY_MAX 255

/* What a client asks for. Strings are borrowed, with explicit lengths
 * (they may hold anything the client sent, NUL bytes included); NULL means
 * absent. currency NULL means the campaign's. */
struct pledge_request {
    int64_t amount_minor;
    const char *currency;
    size_t currency_len;
    const char *donor_name;
    size_t donor_name_len;
    const char *donor_email;
    size_t donor_email_len;
    const char *message;
    size_t message_len;
    bool anonymous;
    struct source_request source; /* attribution (core/source.h) */
};

struct pledge {
    char id[UUID_STR_LEN];
    char campaign_id[CAMPAIGN_ID_MAX + 1];
    int64_t amount_minor;
    char currency[4];
    enum pledge_kind kind;
    char donor_name[PLEDGE_NAME_MAX * 4 + 1];
    char donor_email[PLEDGE_EMAIL_MAX * 4 + 1];
    char message[PLEDGE_MESSAGE_MAX * 4 + 1];
    bool anonymous;
    int64_t seq;
    char created_at[CLOCK_RFC3339_LEN];
    unsigned char entry_hash[LEDGER_HASH_LEN];
    struct pledge_source source; /* as made; reads leave it empty */
};

/* A pledge as staff see it. */
struct pledge_row {
    struct pledge pledge;
    bool refunded;
    int64_t paid_minor; /* money held: payments less reversals */
    char status[12];    /* core/payment.h payment_status() */
    char moderation[12]; /* "approved", "hidden" or "" (sql/010_readers.sql) */
};

struct refund {
    char id[UUID_STR_LEN];
    char pledge_id[UUID_STR_LEN];
    char campaign_id[CAMPAIGN_ID_MAX + 1];
    int64_t amount_minor; /* negative: the reversal */
    char currency[4];
    int64_t seq;
    char created_at[CLOCK_RFC3339_LEN];
    unsigned char entry_hash[LEDGER_HASH_LEN];
};

struct idem {
    const char *key;                     /* 1..255 printable ASCII */
    unsigned char request_hash[32];      /* of everything that makes the
                                            request what it is */
};

const char *pledge_kind_name(enum pledge_kind kind);

/* True if key is 1..IDEM_KEY_MAX printable ASCII (0x20..0x7e). */
bool idem_key_valid(const char *key, size_t len);

/* Checks the request's own fields (lengths, UTF-8, no NUL) without looking
 * at any campaign. 0 or FAULT_INVALID naming the field. */
int pledge_request_check(const struct pledge_request *req, struct fault *f)
    __attribute__((warn_unused_result));

/* The campaign's rules for a request (open, deadline, currency, tier or
 * custom bounds): 0 and p's amount, currency, kind and donor fields
 * filled, or FAULT_CLOSED, FAULT_CURRENCY, FAULT_AMOUNT_RANGE. */
int pledge_fill(struct pledge *p, const struct campaign *c,
                const struct pledge_request *req, struct fault *f)
    __attribute__((warn_unused_result));

/* The one idempotency match: true if a key recorded for `resource` with
 * request hash `recorded` is a replay of idem's request for `want`. The
 * hashes are compared in constant time. */
bool idem_matches(const struct idem *idem, const unsigned char recorded[32],
                  const char *resource, const char *want);

#endif
