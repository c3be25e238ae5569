#ifndef PLEDGED_STORE_INTERNAL_H
#define PLEDGED_STORE_INTERNAL_H
/*
 * The store's private helpers, shared by its files and by nothing else.
 *
 * Statements: st_run() prepares each SQL text once per connection, on first
 * use (statements are string literals, identified by address). Outside a
 * transaction, st_ensure() (re)connects; inside one, a lost connection
 * fails the call with FAULT_UNAVAILABLE and st_rollback() cleans up.
 * Values travel as text: st_bytea() / st_unbytea() for 32-byte hashes
 * (Postgres's "\x" + hex), st_arr_*() for array literals of batched
 * statements, st_i64text() for integers.
 */
#include "store/store.h"

#include "core/buf.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#define PREPARED_MAX 96

struct store {
    char *conninfo;
    PGconn *conn;
    /* Statements prepared on this connection, by the address of their SQL
     * text (every statement is a string literal of a store file). */
    const char *prepared[PREPARED_MAX];
    size_t nprepared;
    PGresult *row; /* the current row of an export in progress */
    bool exporting;
    /* The server said it is read-only (a standby, a demoted primary):
     * st_ensure() connects again, to whichever host is read-write now. */
    bool reset;
};

/* The notification channel of totals changes; payload: the campaign id. */
#define ST_TOTALS_CHANNEL "pledged_totals"

/* ---- connection and statements (conn.c) ---- */

/* Connects, or reconnects after a lost connection: 0 or FAULT_UNAVAILABLE.
 * Only between transactions. */
int st_ensure(struct store *s, struct fault *f);

/* Maps a failed result to a fault: connection-level failures and a
 * read-only server (SQLSTATE 25006: a standby, or a primary being demoted;
 * the connection is then made again) become FAULT_UNAVAILABLE, unique
 * violations FAULT_CONFLICT, numeric overflow FAULT_OVERFLOW; anything else
 * FAULT_INTERNAL. */
int st_fail(struct store *s, PGresult *r, struct fault *f);

/* Runs a parameterised statement into *out: 0 (the caller PQclear()s
 * *out), or a fault and *out = NULL unless it returned `want`. */
int st_run(PGresult **out, struct store *s, ExecStatusType want,
           const char *sql, int n, const char *const *params, struct fault *f);

/* A query with one parameter that should find one row: 0 and *out,
 * FAULT_NOT_FOUND ("no <what> <key>"), or another fault. Outside a
 * transaction only (it may reconnect). */
int st_run_one(PGresult **out, struct store *s, const char *sql,
               const char *key, const char *what, struct fault *f);

/* Runs unparameterised SQL (BEGIN, SET, migrations): 0 or a fault. */
int st_exec(struct store *s, const char *sql, struct fault *f);

int st_commit(struct store *s, struct fault *f);

/* Rolls back whatever transaction is open; a no-op when none is. */
void st_rollback(struct store *s);

/* The durability barrier: once it returns 0, everything committed on this
 * host before it is on the synchronous standby too (when there is one), as
 * an answered COMMIT would be. Call it before answering 2xx from what a read
 * found committed. Inside a transaction it adds a WAL record whose COMMIT
 * (the caller's) waits; outside, it is a transaction of its own.
 * (durable.c) */
int st_durable(struct store *s, struct fault *f);

/* A batch whose COMMIT went unanswered (the connection was lost during
 * it: a crash, a failover): connects again, to the read-write host, and
 * looks for the batch's pledges there, in a transaction that ends with
 * the durability barrier (st_durable), so that what it finds is as durable
 * as a COMMIT answered would have made it. A pledge found
 * keeps rc 0; one not found, and every replay, gets FAULT_UNAVAILABLE (the
 * client retries with the same Idempotency-Key: a replay if it did commit
 * after all). Tries for up to ST_RESOLVE_MS; then FAULT_UNAVAILABLE for the
 * whole batch. Never guesses. (batch_resolve.c) */
#define ST_RESOLVE_MS 8000
int st_batch_resolve(struct store *s, struct batch_item *items, size_t n,
                     struct fault *f);

/* ---- value codecs (codec.c) ---- */

/* to_char's format for a timestamp as RFC 3339 UTC with microseconds:
 * to_char(x AT TIME ZONE 'UTC', ST_STAMP). */
#define ST_STAMP "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'"

/* Text of a bytea parameter: "\x" + 64 hex digits + NUL. */
#define BYTEA32_HEX (2 + 64 + 1)
#define I64_TEXT 24

void st_bytea(char out[BYTEA32_HEX], const unsigned char h[32]);
/* Parses bytea text of exactly 32 bytes: 0 or FAULT_TAMPERED. */
int st_unbytea(unsigned char out[32], const char *text, struct fault *f);
int64_t st_i64col(PGresult *r, int row, int col);
void st_strcol(char *out, size_t n, PGresult *r, int row, int col);
const char *st_i64text(char out[I64_TEXT], int64_t v);

/* Postgres array literals, built as text parameters. Every element is
 * quoted, with '"' and '\\' escaped; NULL elements are unquoted NULL. */
void st_arr_open(struct buf *b);
void st_arr_text(struct buf *b, const char *v);
void st_arr_i64(struct buf *b, int64_t v);
void st_arr_bytea(struct buf *b, const unsigned char h[32]);
void st_arr_close(struct buf *b);

/* ---- rows shared by several files ---- */

#define CAMPAIGN_COLUMNS                                                       \
    "c.id, c.title, c.currency, c.goal_minor, array_to_json(c.tiers), "        \
    "c.min_custom_minor, c.max_custom_minor, "                                 \
    "(extract(epoch from c.deadline) * 1000000)::bigint, c.status, "           \
    "array_to_json(c.allowed_origins), c.version, "                            \
    "t.seq, t.raised_minor, t.supporters, t.head_hash, "                     \
    "coalesce(c.provider, ''), c.shown_total, coalesce(c.payment_link, ''), " \
    "coalesce(c.pledge_ttl_s, 0), t.collected_minor, t.tree_frontier, "      \
    "c.supporters_list"
/* The indexes of the columns read by name below: a column added to
 * CAMPAIGN_COLUMNS moves them. */
#define CAMPAIGN_COL_FRONTIER 20
#define CAMPAIGN_COL_SUPPORTERS 21

/* Reads CAMPAIGN_COLUMNS of row into c and (if not NULL) t. */
int st_read_campaign(struct campaign *c, struct totals *t, PGresult *r, int row,
                     struct fault *f);

#define PLEDGE_COLUMNS                                                         \
    "p.id, p.campaign_id, p.amount_minor, p.currency, p.kind, "                \
    "coalesce(p.donor_name, ''), coalesce(p.donor_email, ''), p.anonymous, "   \
    "coalesce(p.message, ''), p.seq, p.created_at, e.entry_hash"

int st_read_pledge(struct pledge *p, PGresult *r, int row, struct fault *f);

/* A staff view of pledges: PLEDGE_COLUMNS, then refunded, paid, voided,
 * disputed and moderation (what st_pledge_rows() reads); the caller adds
 * WHERE and ORDER. */
#define PLEDGE_ROW_SELECT                                                      \
    "SELECT " PLEDGE_COLUMNS ", rf.id IS NOT NULL, "                          \
    "m.paid, m.voided, m.disputed, coalesce(mo.state, '') "                    \
    "FROM pledges p JOIN ledger_entries e ON "                                 \
    "e.campaign_id = p.campaign_id AND e.seq = p.seq "                         \
    "LEFT JOIN refunds rf ON rf.pledge_id = p.id "                             \
    "LEFT JOIN pledge_moderation mo ON mo.pledge_id = p.id "                   \
    "CROSS JOIN LATERAL (SELECT coalesce(sum(x.amount_minor) "                 \
    "FILTER (WHERE x.kind IN ('payment', "                                     \
    "'payment_reversal')), 0) AS paid, "                                       \
    "coalesce(bool_or(x.kind = 'void'), false) AS voided, "                    \
    "coalesce(bool_or(x.reason = 'dispute'), false) AS "                       \
    "disputed FROM ledger_entries x WHERE x.pledge_id = p.id) "                \
    "m "

/* Calls fn for each row of a PLEDGE_ROW_SELECT result. */
int st_pledge_rows(PGresult *r, int (*fn)(void *ctx, const struct pledge_row *p),
                   void *ctx, struct fault *f);

#define ENTRY_COLUMNS                                                          \
    "e.campaign_id, e.seq, e.kind, e.pledge_id, e.amount_minor, "              \
    "e.currency, e.created_at, e.prev_hash, e.entry_hash, "                  \
    "coalesce(e.provider, ''), coalesce(e.reference, ''), "                  \
    "coalesce(e.method, ''), coalesce(e.reason, ''), e.leaf_hash"
#define ENTRY_NCOLUMNS 14

/* The one ledger row decoder: ENTRY_COLUMNS of row, from column col. */
int st_read_entry(struct ledger_entry *e, PGresult *r, int row, int col,
                  struct fault *f);

/* ---- the Merkle tree's rows (merkle.c) ---- */

/* Reads a campaign_totals.tree_frontier value into t->tree (size t->seq):
 * 0 or FAULT_TAMPERED. */
int st_read_frontier(struct totals *t, const char *text, struct fault *f);

/* Appends the bytea text of t->tree's hashes to b. */
void st_frontier_text(struct buf *b, const struct totals *t);

/* Columns of merkle_nodes rows, as array literals (merkle.c adds them and
 * inserts them in one statement). */
struct st_nodes {
    struct buf campaign, level, idx, hash;
    size_t count;
};
void st_nodes_open(struct st_nodes *n);
void st_nodes_add(struct st_nodes *n, const struct ledger_entry *e);
/* Inserts them (if any) and releases n: 0 or a fault. */
int st_nodes_insert(struct store *s, struct st_nodes *n, struct fault *f);

/* The C step of a migration (run right after its SQL, in its transaction):
 * 0 or a fault. NULL for a migration without one. */
typedef int st_migration_step(struct store *s, struct fault *f);
st_migration_step *st_migration_step_of(const char *name);

/* Inserts entry e (chained by the caller, ledger_next) and writes head t
 * as the campaign's totals, inside the caller's transaction. */
int st_insert_entry(struct store *s, const struct ledger_entry *e,
                    const struct totals *t, struct fault *f);

/* Pledge p's money from its entries, in the caller's transaction. */
int st_read_money(struct pledge_money *m, struct store *s,
                  const struct pledge *p, const char *held_ref,
                  struct fault *f);

/* Locks a campaign's totals row (the head of its chain) for the rest of
 * the transaction and reads it. FAULT_NOT_FOUND. */
int st_lock_head(struct totals *t, struct store *s, const char *campaign_id,
                 struct fault *f);

/* Records key (if idem is not NULL) inside the caller's transaction. A
 * concurrent holder of the same key makes the INSERT wait for it; if that
 * one committed, FAULT_RETRY. */
int st_record_key(struct store *s, const struct idem *idem, int status,
                  const char *resource, const char *id, struct fault *f);

/* Maps the result rc (fault in local) of recording idempotency keys: a
 * unique violation (the key recorded by a concurrent transaction) becomes
 * FAULT_RETRY, anything else is passed on into f. */
int st_key_fault(int rc, const struct fault *local, struct fault *f);

/* Writes an admin log row inside the caller's transaction (a == NULL: a
 * no-op). */
int st_log(struct store *s, const struct admin_action *a, struct fault *f);

/* store_events_page inside the caller's transaction (no reconnect: a
 * delivery reads its event under its endpoint's row lock). */
int st_events_page(struct store *s, int64_t after, int limit,
                   char types[][EVENT_TYPE_MAX], size_t ntypes,
                   int (*fn)(void *ctx, const struct event_row *e), void *ctx,
                   struct fault *f);

#endif
