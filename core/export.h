#ifndef PLEDGED_EXPORT_H
#define PLEDGED_EXPORT_H
/*
 * Ledger exports for accountants: CSV (RFC 4180) or JSON Lines, one row per
 * ledger entry in seq order with every column needed to recompute the hash
 * chain, produced a chunk at a time from a streaming store query, so memory
 * stays flat whatever the ledger's size. The same code feeds HTTP and the
 * command line, so both give the same bytes.
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
#include "core/receipt.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>

struct store;

enum export_format { EXPORT_CSV, EXPORT_JSONL };

struct export_params {
    char campaign_id[CAMPAIGN_ID_MAX + 1];
    enum export_format format;
    bool has_from, has_to;
    int64_t from_us, to_us;
    int64_t until_seq; /* 0: the head when the export starts */
};

struct export {
    struct store *store;
    struct export_params p;
    char currency[4];
    struct buf out; /* bytes produced and not yet taken */
    bool done;
    int64_t rows, first_seq, last_seq, sum_minor;
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
int export_begin(struct export *x, struct store *s,
                 const struct export_params *p, struct fault *f)
    __attribute__((warn_unused_result));

/* Produces rows until x->out holds at least `want` bytes or the export is
 * done (x->done). The caller takes bytes from x->out (and may reset it). */
int export_fill(struct export *x, size_t want, struct fault *f)
    __attribute__((warn_unused_result));

/* Releases the export; the store is free again. Safe to call at any point,
 * e.g. when a client disconnects. */
void export_end(struct export *x);

/* After x->done: the signed manifest of exactly the bytes produced. */
int export_manifest(struct signed_doc *out, struct export *x,
                    const struct signer *k, struct fault *f)
    __attribute__((warn_unused_result));

#endif
