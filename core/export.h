#ifndef PLEDGED_EXPORT_H
#define PLEDGED_EXPORT_H
/*
 * Ledger exports for accountants: CSV (RFC 4180) or JSON Lines, one row per
 * ledger entry in seq order with every column needed to recompute the hash
 * chain, formatted a row at a time as a streaming query (app/exporting.h)
 * hands them over, so memory stays flat whatever the ledger's size. The
 * same code feeds HTTP and the command line, so both give the same bytes.
 *
 * CSV cells of text that begin with '=', '+', '-', '@', TAB or CR get a
 * leading apostrophe so that no spreadsheet runs them as a formula; JSON
 * Lines carry every value exactly.
 *
 * A signed manifest states what an export holds: rows, first and last seq,
 * the sum, the SHA-256 of its bytes and the last entry's hash. until_seq
 * pins an export and its manifest to the same rows.
 */
#include "core/buf.h"
#include "core/campaign.h"
#include "core/fault.h"
#include "core/ledger.h"
#include "core/receipt.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>

enum export_format { EXPORT_CSV, EXPORT_JSONL };

struct export_params {
    char campaign_id[CAMPAIGN_ID_MAX + 1];
    enum export_format format;
    bool has_from, has_to;
    int64_t from_us, to_us;
    int64_t until_seq; /* 0: the head when the export starts */
};

/* One row: the entry and its pledge's donor fields ("" when none). The
 * strings are borrowed for the call that takes the row. */
struct export_row {
    struct ledger_entry entry;
    const char *donor_name;
    const char *donor_email;
    const char *message;
    bool anonymous;
};

struct export {
    struct export_params p;
    char currency[4];
    struct buf out; /* bytes produced and not yet taken */
    bool done;
    int64_t rows, first_seq, last_seq, sum_minor;
    int64_t raised_minor, collected_minor; /* by the kinds' rules */
    unsigned char last_hash[32];
    crypto_hash_sha256_state sha;
};

/* True when a spreadsheet could read s as a formula: it starts with a tab
 * or CR, or its first character after any whitespace (ASCII, or Unicode
 * spaces such as U+00A0, U+2000..U+200B, U+3000, a BOM: what "trim
 * spaces" removes) is '=', '+', '-' or '@'. */
bool export_csv_formula(const char *s);

/* Appends one CSV cell of text from a donor: quoted when it holds a
 * comma, quote, CR or LF; with a leading apostrophe (inside the quotes)
 * when export_csv_formula(s). Our own cells (amounts, ids, hashes) are
 * written as they are. */
void export_csv_text(struct buf *b, const char *s);

/* Parses "csv" / "jsonl". */
int export_format_parse(enum export_format *out, const char *s);

/* Starts an export on s (which it keeps busy until export_end). Checks the
 * campaign exists and fixes until_seq. FAULT_NOT_FOUND, FAULT_INVALID
 * (from after to), FAULT_UNAVAILABLE. */
/* Starts an export of p's rows, in currency (for the display amount);
 * the CSV header goes to x->out. */
void export_start(struct export *x, const struct export_params *p,
                  const char *currency);

/* Appends row r to x->out and to the running sums and digest. 0, or
 * FAULT_NOMEM / FAULT_OVERFLOW. */
int export_add(struct export *x, const struct export_row *r, struct fault *f)
    __attribute__((warn_unused_result));

/* Frees what x holds; safe on a zeroed or finished export. */
void export_release(struct export *x);

int export_manifest(struct signed_doc *out, struct export *x,
                    const struct signer *k, struct fault *f)
    __attribute__((warn_unused_result));

#endif
