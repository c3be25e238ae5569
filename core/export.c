#include "core/export.h"

#include "core/hex.h"
#include "core/money.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const columns[] = {
    "campaign_id", "seq",         "kind",      "pledge_id", "amount_minor",
    "amount",      "currency",    "created_at", "donor_name", "donor_email",
    "anonymous",   "message",     "prev_hash", "entry_hash", "provider",
    "reference",   "method",      "reason"};
#define NCOLUMNS (sizeof columns / sizeof columns[0])

int export_format_parse(enum export_format *out, const char *s)
{
    if (s && strcmp(s, "csv") == 0)
        *out = EXPORT_CSV;
    else if (s && strcmp(s, "jsonl") == 0)
        *out = EXPORT_JSONL;
    else
        return FAULT_INVALID;
    return 0;
}

/* Bytes of the whitespace character at s (ASCII or a Unicode space in
 * UTF-8, as a spreadsheet's "trim spaces" removes), or 0. */
static size_t space_len(const unsigned char *s)
{
    if (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r'))
        return 1;
    if (s[0] == 0xc2 && (s[1] == 0xa0 || s[1] == 0x85)) /* NBSP, NEL */
        return 2;
    if ((s[0] == 0xe1 && s[1] == 0x9a && s[2] == 0x80) || /* U+1680 */
        (s[0] == 0xe2 && s[1] == 0x80 &&
         ((s[2] >= 0x80 && s[2] <= 0x8b) || s[2] == 0xa8 || s[2] == 0xa9 ||
          s[2] == 0xaf)) ||
        (s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0x9f) || /* U+205F */
        (s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80) || /* U+3000 */
        (s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf))   /* BOM */
        return 3;
    return 0;
}

bool export_csv_formula(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    if (p[0] == '\t' || p[0] == '\r')
        return true;
    for (size_t n; (n = space_len(p)) != 0;)
        p += n;
    return *p == '=' || *p == '+' || *p == '-' || *p == '@';
}

/* A cell as it is, quoted when it holds a separator, quote or newline. */
static void csv_cell(struct buf *b, const char *s, bool guard)
{
    bool quote = guard || strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        buf_putc(b, '"');
    if (guard)
        buf_putc(b, '\'');
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            buf_putc(b, '"');
        buf_putc(b, *p);
    }
    if (quote)
        buf_putc(b, '"');
}

void export_csv_text(struct buf *b, const char *s)
{
    csv_cell(b, s, export_csv_formula(s));
}

static void csv_row(struct export *x, const struct export_row *r,
                    const char *amount, const char *prev, const char *hash)
{
    const struct ledger_entry *e = &r->entry;
    struct buf *b = &x->out;
    buf_printf(b, "%s,%lld,%s,%s,%lld,", e->campaign_id, (long long)e->seq,
               ledger_kind_name(e->kind), e->pledge_id,
               (long long)e->amount_minor);
    csv_cell(b, amount, false); /* ours, from money_format: a number */
    buf_printf(b, ",%s,%s,", e->currency, e->created_at);
    export_csv_text(b, r->donor_name);
    buf_putc(b, ',');
    export_csv_text(b, r->donor_email);
    buf_printf(b, ",%s,", r->anonymous ? "true" : "false");
    export_csv_text(b, r->message);
    buf_printf(b, ",%s,%s,%s,", prev, hash, e->provider);
    export_csv_text(b, e->reference); /* the provider's text */
    buf_printf(b, ",%s,%s\r\n", e->method, e->reason);
}

static json_t *text_or_null(const char *s)
{
    return s[0] ? json_string(s) : json_null();
}

static int jsonl_row(struct export *x, const struct export_row *r,
                     const char *amount, const char *prev, const char *hash,
                     struct fault *f)
{
    const struct ledger_entry *e = &r->entry;
    json_t *o = json_pack(
        "{s:s, s:I, s:s, s:s, s:I, s:s, s:s, s:s, s:o, s:o, s:b, s:o, s:s, "
        "s:s}",
        "campaign_id", e->campaign_id, "seq", (json_int_t)e->seq, "kind",
        ledger_kind_name(e->kind), "pledge_id", e->pledge_id, "amount_minor",
        (json_int_t)e->amount_minor, "amount", amount, "currency", e->currency,
        "created_at", e->created_at, "donor_name", text_or_null(r->donor_name),
        "donor_email", text_or_null(r->donor_email), "anonymous", r->anonymous,
        "message", text_or_null(r->message), "prev_hash", prev, "entry_hash",
        hash);
    if (o) { /* the payment kinds' own fields; null for the others */
        json_object_set_new(o, "provider", text_or_null(e->provider));
        json_object_set_new(o, "reference", text_or_null(e->reference));
        json_object_set_new(o, "method", text_or_null(e->method));
        json_object_set_new(o, "reason", text_or_null(e->reason));
    }
    char *line = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    if (line == NULL)
        return fault_set(f, FAULT_NOMEM, NULL, "out of memory");
    buf_puts(&x->out, line);
    buf_putc(&x->out, '\n');
    free(line);
    return 0;
}

void export_start(struct export *x, const struct export_params *p,
                  const char *currency)
{
    memset(x, 0, sizeof *x);
    buf_init(&x->out);
    crypto_hash_sha256_init(&x->sha);
    x->p = *p;
    snprintf(x->currency, sizeof x->currency, "%s", currency);
    if (p->format == EXPORT_CSV) {
        for (size_t i = 0; i < NCOLUMNS; i++) {
            buf_puts(&x->out, columns[i]);
            buf_puts(&x->out, i + 1 < NCOLUMNS ? "," : "\r\n");
        }
        crypto_hash_sha256_update(&x->sha, (const unsigned char *)x->out.data,
                                  x->out.len);
    }
}

int export_add(struct export *x, const struct export_row *r, struct fault *f)
{
    const struct currency *cur = currency_find(x->currency);
    const struct ledger_entry *e = &r->entry;
    char amount[MONEY_DISPLAY_MAX] = "", prev[HEX32_LEN], hash[HEX32_LEN];
    int rc;
    if (cur)
        money_format(amount, sizeof amount, e->amount_minor, cur);
    hex_encode(prev, e->prev_hash, 32);
    hex_encode(hash, e->entry_hash, 32);
    size_t start = x->out.len;
    if (x->p.format == EXPORT_CSV)
        csv_row(x, r, amount, prev, hash);
    else if ((rc = jsonl_row(x, r, amount, prev, hash, f)) != 0)
        return rc;
    if (buf_failed(&x->out))
        return fault_set(f, FAULT_NOMEM, NULL, "out of memory");
    crypto_hash_sha256_update(&x->sha,
                              (const unsigned char *)x->out.data + start,
                              x->out.len - start);
    if (x->rows++ == 0)
        x->first_seq = e->seq;
    x->last_seq = e->seq;
    memcpy(x->last_hash, e->entry_hash, 32);
    int64_t *total = ledger_kind_collects(e->kind) ? &x->collected_minor
                                                  : &x->raised_minor;
    if (money_add(&x->sum_minor, x->sum_minor, e->amount_minor) != 0 ||
        money_add(total, *total, e->amount_minor) != 0)
        return fault_set(f, FAULT_OVERFLOW, NULL, "sum overflows");
    return 0;
}

void export_release(struct export *x) { buf_release(&x->out); }

int export_manifest(struct signed_doc *out, struct export *x,
                    const struct signer *k, struct fault *f)
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    char sha[2 * sizeof digest + 1], last[HEX32_LEN], from[CLOCK_RFC3339_LEN],
        to[CLOCK_RFC3339_LEN], now[CLOCK_RFC3339_LEN];
    crypto_hash_sha256_final(&x->sha, digest);
    hex_encode(sha, digest, sizeof digest);
    hex_encode(last, x->last_hash, 32);
    if (x->p.has_from)
        clock_format(from, x->p.from_us);
    if (x->p.has_to)
        clock_format(to, x->p.to_us);
    clock_format(now, clock_now_us());
    json_t *m = json_pack(
        "{s:s, s:i, s:s, s:s, s:s?, s:s?, s:I, s:I, s:o, s:o, s:I, s:s, "
        "s:s?, s:s, s:s}",
        "type", "ledger_manifest", "v", 1, "campaign_id", x->p.campaign_id,
        "format", x->p.format == EXPORT_CSV ? "csv" : "jsonl", "from",
        x->p.has_from ? from : NULL, "to", x->p.has_to ? to : NULL,
        "until_seq", (json_int_t)x->p.until_seq, "rows", (json_int_t)x->rows,
        "first_seq", x->rows ? json_integer(x->first_seq) : json_null(),
        "last_seq", x->rows ? json_integer(x->last_seq) : json_null(),
        "sum_minor", (json_int_t)x->sum_minor, "sha256", sha,
        "last_entry_hash", x->rows ? last : NULL, "signed_at", now, "kid",
        k->kid);
    if (m) { /* both totals by the kinds' rules, as the head states them */
        json_object_set_new(m, "raised_minor", json_integer(x->raised_minor));
        json_object_set_new(m, "collected_minor",
                            json_integer(x->collected_minor));
    }
    return receipt_sign_take(out, k, m, f);
}
