#ifndef PLEDGED_STORE_H
#define PLEDGED_STORE_H
/*
 * The store: everything pledged keeps in Postgres, behind one libpq
 * connection. The only floor that speaks SQL or includes libpq-fe.h; it
 * knows tables, not HTTP or the command line. One file per table family
 * (campaigns.c, ledger_write.c, batch_write.c, reads.c, receipts.c,
 * admin.c, export.c, notify.c, migrate.c), connection handling in conn.c
 * and value codecs in codec.c, sharing store/internal.h.
 *
 * A struct store is used by one thread at a time. It connects lazily and
 * reconnects by itself: when Postgres is unreachable a call fails with
 * FAULT_UNAVAILABLE and the next call tries again. Every statement is
 * parameterised. Ledger writes happen in one transaction each, under the
 * row lock of the campaign's totals, so totals always equal the ledger.
 */
#include "core/campaign.h"
#include "core/clock.h"
#include "core/export.h"
#include "core/event.h"
#include "core/fault.h"
#include "core/ledger.h"
#include "core/payment.h"
#include "core/pledge.h"
#include "core/receipt.h"
#include "core/signer.h"
#include "core/token.h"
#include "core/webhook.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

struct migration {
    const char *name; /* e.g. "001_ledger.sql"; applied in array order */
    const char *sql;
};

/* A new store for conninfo (libpq keyword/value or URI); NULL only when
 * out of memory. Does not connect yet. */
struct store *store_new(const char *conninfo);

/* Whether statements are prepared once per connection (the default) or
 * sent whole each time (for PgBouncer in transaction mode, whose server
 * connection changes between transactions). Process-wide: set once,
 * before any store is used (app_open). */
void store_prepare_statements(bool on);
void store_free(struct store *s);

/* Connects if needed and pings the server: 0 or FAULT_UNAVAILABLE. */
int store_ping(struct store *s, struct fault *f)
    __attribute__((warn_unused_result));

/* Applies, in order, each migration not yet recorded in schema_migrations,
 * each in its own transaction under an advisory lock (so two migrators
 * never race). *applied (may be NULL) gets how many ran. */
int store_migrate(struct store *s, const struct migration *m, size_t n,
                  int *applied, struct fault *f)
    __attribute__((warn_unused_result));

/* Loads a campaign and (if t is not NULL) its totals. FAULT_NOT_FOUND. */
int store_campaign_get(struct campaign *c, struct totals *t, struct store *s,
                       const char *id, struct fault *f)
    __attribute__((warn_unused_result));

/* An admin action to record in the same transaction as the change it
 * made (admin_log): who (the token's name), action, target, detail. */
struct admin_action {
    const char *who;
    const char *action;
    const char *target;
    const char *detail; /* NULL: "" */
};

/* Inserts a campaign (validated by the caller) with zero totals, and
 * records idem (resource "campaign", the campaign's id) and log (each may
 * be NULL) in the same transaction. FAULT_CONFLICT if the id is taken,
 * FAULT_RETRY if another request recorded the key first. */
int store_campaign_create(struct store *s, const struct campaign *c,
                          const struct idem *idem,
                          const struct admin_action *log, struct fault *f)
    __attribute__((warn_unused_result));

/* What an idempotency key recorded. */
struct idem_record {
    unsigned char request_hash[32];
    int status;
    char resource[16]; /* "pledge", "refund", "campaign", "token", ... */
    /* a uuid, or a campaign's id or a token's name (both at most 64) */
    char resource_id[CAMPAIGN_ID_MAX + 1];
};

/* 1 and *out filled if key is recorded, 0 if not, or a negative fault. */
int store_idem_get(struct idem_record *out, struct store *s, const char *key,
                   struct fault *f) __attribute__((warn_unused_result));

/* One pledge of a batch. The caller sets pledge.id, pledge.campaign_id and
 * idem (or NULL); the check callback fills the rest of the pledge from the
 * locked campaign. Results: rc (0 or a fault, with fault) and, for rc 0,
 * either the committed pledge (seq, created_at, entry_hash) or replayed
 * set: its key was recorded before (or earlier in the batch), nothing was
 * written for it, and the caller resolves what that key made. */
struct batch_item {
    struct pledge pledge;
    const struct idem *idem;
    int rc;
    struct fault fault;
    bool replayed;
};

/* Decides whether item i may enter campaign c (locked, current settings)
 * and fills p's amount, currency, kind and donor fields. 0 or a fault. */
typedef int batch_check_fn(void *ctx, size_t i, const struct campaign *c,
                           struct pledge *p, struct fault *f);

/* Records a batch of pledges in one transaction: one lock per campaign
 * head (taken in id order), every entry chained (ledger_next), every
 * idempotency row, one totals update per campaign, one COMMIT, and a
 * totals notification per campaign. Items that fail their check, that
 * would take their campaign's total past MONEY_MAX_EXACT
 * (FAULT_TOTAL_LIMIT) or that replay a key are not written, each with its
 * own fault; the others all commit or none does. A key that another
 * transaction (another instance's batch) records meanwhile is waited for
 * and its item becomes a replay too: nothing else in the batch fails.
 * Returns 0 when the batch ran (see each item), or a fault for the whole
 * batch (nothing written, e.g. FAULT_UNAVAILABLE). */
int store_pledge_batch(struct store *s, struct batch_item *items, size_t n,
                       batch_check_fn *check, void *ctx, struct fault *f)
    __attribute__((warn_unused_result));

/* Loads a pledge by id. FAULT_NOT_FOUND. */
int store_pledge_get(struct pledge *p, struct store *s, const char *id,
                     struct fault *f) __attribute__((warn_unused_result));


/* Decides the money entries of pledge p given m, its money as the ledger
 * says under the campaign's lock (core/payment.h's rules): fills up to
 * MONEY_MOVES_MAX moves and *n (0: nothing to do), or a fault. */
typedef int money_decide_fn(void *ctx, const struct pledge *p,
                            const struct pledge_money *m,
                            struct money_move *moves, size_t *n,
                            struct fault *f);

/* One money change of one pledge (money.c). */
struct money_append {
    /* in */
    const char *pledge_id;
    money_decide_fn *decide;
    void *ctx;
    const struct idem *idem;   /* may be NULL; recorded with resource */
    const char *resource;      /* "refund" or "payment" */
    const char *resource_id;   /* a uuid: the refund's, or our payment id */
    const char *refund_id;     /* non-NULL: a refunds row names the last
                                  entry (its receipt's subject) */
    const struct admin_action *log; /* may be NULL */
    const char *held_ref;      /* may be NULL: a payment's reference, whose
                                  money held decide sees as ref_held */
    /* out */
    struct pledge_money before; /* what decide saw */
    struct ledger_entry entries[MONEY_MOVES_MAX];
    size_t n;                   /* entries appended (0: none needed) */
};

/* Locks the pledge's campaign head, reads its money, lets decide choose
 * the entries, and appends them with the key, the refunds row, the totals
 * notification and the log, in one transaction. FAULT_NOT_FOUND (no such
 * pledge), decide's faults, FAULT_CONFLICT on "reference" when the
 * provider's reference is recorded already (a webhook again: nothing
 * written), FAULT_RETRY (a key race). */
int store_money_append(struct money_append *m, struct store *s,
                       struct fault *f) __attribute__((warn_unused_result));

/* The entry a provider's reference was recorded as. FAULT_NOT_FOUND. */
int store_entry_by_reference(struct ledger_entry *e, struct store *s,
                             const char *provider, const char *reference,
                             enum entry_kind kind, struct fault *f)
    __attribute__((warn_unused_result));

/* The pledge's money as the ledger says now. */
int store_pledge_money(struct pledge_money *m, struct store *s,
                       const struct pledge *p, struct fault *f)
    __attribute__((warn_unused_result));

/* 1 if a provider's event id was recorded (handled) before, else 0. */
int store_provider_event_known(struct store *s, const char *provider,
                               const char *event_id, struct fault *f)
    __attribute__((warn_unused_result));

/* A session-level advisory lock on one pledge's payments (a card charge
 * in flight): 1 if taken, 0 if another session holds it. Released by
 * store_pledge_unlock or when the connection ends. */
int store_pledge_try_lock(struct store *s, const char *pledge_id,
                          struct fault *f) __attribute__((warn_unused_result));
void store_pledge_unlock(struct store *s, const char *pledge_id);

/* Records a provider's event id: 1 if new, 0 if handled before. */
int store_provider_event(struct store *s, const char *provider,
                         const char *event_id, const char *type,
                         struct fault *f) __attribute__((warn_unused_result));

/* The event log (sql/007_events.sql, docs/EVENTS.md): calls fn with up
 * to limit events after `after`, in event_seq order, of the given types
 * (ntypes 0: all). A non-zero return from fn stops and is returned. */
int store_events_page(struct store *s, int64_t after, int limit,
                      char types[][EVENT_TYPE_MAX], size_t ntypes,
                      int (*fn)(void *ctx, const struct event_row *e),
                      void *ctx, struct fault *f)
    __attribute__((warn_unused_result));

/* The last event_seq given out (0: none yet). */
int store_event_head(int64_t *seq, struct store *s, struct fault *f)
    __attribute__((warn_unused_result));

/* Appends one event of a use case that changes no table (a declined
 * card's payment.failed), with data a JSON object text, and notifies. */
int store_event_add(struct store *s, const char *type,
                    const char *campaign_id, const char *data_json,
                    struct fault *f) __attribute__((warn_unused_result));

/* LISTENs for new events (the payload of each notification is the last
 * event_seq); read them with store_notifications. */
int store_listen_events(struct store *s, struct fault *f)
    __attribute__((warn_unused_result));

/* Webhook endpoints (webhooks.c, docs/WEBHOOKS.md). ep->id, url, types,
 * secret, ed25519 and personal are the caller's; delivery starts after
 * event from - 1 (from < 1: after the log's head now). idem (resource
 * "webhook") and log commit with it. *ep is then the row. */
int store_webhook_create(struct store *s, struct webhook_endpoint *ep,
                         int64_t from, const char *who,
                         const struct idem *idem,
                         const struct admin_action *log, struct fault *f)
    __attribute__((warn_unused_result));
/* id must be a uuid (the caller checks). FAULT_NOT_FOUND. */
int store_webhook_get(struct webhook_endpoint *ep, struct store *s,
                      const char *id, struct fault *f)
    __attribute__((warn_unused_result));
int store_webhooks_list(struct store *s,
                        int (*fn)(void *ctx, const struct webhook_endpoint *e),
                        void *ctx, struct fault *f)
    __attribute__((warn_unused_result));
/* Delivers again from event `from` (>= 1) on, enabled again, retries
 * reset; with log. FAULT_NOT_FOUND. */
int store_webhook_replay(struct store *s, const char *id, int64_t from,
                         const struct admin_action *log, struct fault *f)
    __attribute__((warn_unused_result));
int store_webhook_delete(struct store *s, const char *id,
                         const struct admin_action *log, struct fault *f)
    __attribute__((warn_unused_result));

/* A delivery: claims the endpoint due first with events after its cursor
 * (1: *ep filled, its row locked in a transaction left open; 0: none).
 * The caller then reads the next event (store_webhook_next) on the same
 * store and ends the claim with one of skip (no event of its types: the
 * cursor goes to the head as read by the claim), failed (try again after
 * wait_ms; disabled when failing for give_up_s), commit (after delivered:
 * up to a batch of events, the cursor moved after each), or
 * store_webhook_release. The
 * claim's commits do not wait for the disk (synchronous_commit off): a
 * cursor lost in a crash re-sends, never skips. */
int store_webhook_claim(struct webhook_endpoint *ep, struct store *s,
                        struct fault *f) __attribute__((warn_unused_result));
/* The claimed endpoint's next event of its types, in the claim's
 * transaction: fn called once, or not at all when there is none. */
int store_webhook_next(struct store *s, const struct webhook_endpoint *ep,
                       int (*fn)(void *ctx, const struct event_row *e),
                       void *ctx, struct fault *f)
    __attribute__((warn_unused_result));
int store_webhook_skip(struct store *s, const struct webhook_endpoint *ep,
                       struct fault *f) __attribute__((warn_unused_result));
/* Moves the cursor to seq inside the claim (the claim goes on: the next
 * event may follow); store_webhook_commit ends it. */
int store_webhook_delivered(struct store *s, const char *id, int64_t seq,
                            struct fault *f)
    __attribute__((warn_unused_result));
int store_webhook_commit(struct store *s, struct fault *f)
    __attribute__((warn_unused_result));
int store_webhook_failed(struct store *s, const char *id, int attempts,
                         int64_t wait_ms, const char *error,
                         int64_t give_up_s, struct fault *f)
    __attribute__((warn_unused_result));
void store_webhook_release(struct store *s);

/* Calls fn with up to limit pledges whose campaign's pledge_ttl_s has
 * passed at now_us with nothing recorded after the promise. */
int store_stale_pledges(struct store *s, int64_t now_us, int limit,
                        int (*fn)(void *ctx, const char *pledge_id),
                        void *ctx, struct fault *f)
    __attribute__((warn_unused_result));

int store_refund_get(struct refund *r, struct store *s, const char *id,
                     struct fault *f) __attribute__((warn_unused_result));

/* Calls fn for every ledger entry of the campaign in seq order, one row at
 * a time (memory does not grow with the ledger). A non-zero return from fn
 * stops the walk and is returned. t (may be NULL) gets the totals read in
 * the same snapshot. */
int store_ledger_walk(struct totals *t, struct store *s,
                      const char *campaign_id,
                      int (*fn)(void *ctx, const struct ledger_entry *e),
                      void *ctx, struct fault *f)
    __attribute__((warn_unused_result));

/* count stored Merkle hashes of tile level `level` of a campaign from
 * index first (leaf hashes for level 0; core/merkle.h): 0, or
 * FAULT_TAMPERED when some are missing, or another fault. */
int store_merkle_read(struct store *s, const char *campaign_id, int level,
                      int64_t first, int64_t count, merkle_hash *out,
                      struct fault *f) __attribute__((warn_unused_result));

/* The digest (ledger_nodes_fold) and count of a campaign's stored tile
 * nodes that a tree of size leaves holds. */
int store_merkle_nodes_digest(unsigned char digest[32], int64_t *count,
                              struct store *s, const char *campaign_id,
                              int64_t size, struct fault *f)
    __attribute__((warn_unused_result));

/* Calls fn for the count entries from seq first_seq, in order: 0,
 * FAULT_NOT_FOUND if they are not all there, or fn's or another fault. */
int store_entries_range(struct store *s, const char *campaign_id,
                        int64_t first_seq, int64_t count,
                        int (*fn)(void *ctx, const struct ledger_entry *e),
                        void *ctx, struct fault *f)
    __attribute__((warn_unused_result));

/* Calls fn for every campaign with its totals, by id. */
int store_campaigns_list(struct store *s,
                         int (*fn)(void *ctx, const struct campaign *c,
                                   const struct totals *t),
                         void *ctx, struct fault *f)
    __attribute__((warn_unused_result));

/* The name of the live (not revoked) token with this hash: 0, or
 * FAULT_NOT_FOUND. */
int store_token_find(char name[TOKEN_NAME_MAX + 1], struct store *s,
                     const unsigned char hash[32], struct fault *f)
    __attribute__((warn_unused_result));

/* Replaces a campaign's settings (validated by the caller) and bumps its
 * version, under the same lock pledges take, so no pledge checked against
 * the old settings commits after this does; log (may be NULL) is written
 * in the same transaction. FAULT_NOT_FOUND. */
int store_campaign_update(struct store *s, const struct campaign *c,
                          const struct admin_action *log, struct fault *f)
    __attribute__((warn_unused_result));

/* Calls fn for up to limit pledges of a campaign, newest first, starting
 * below seq `before` (0: from the newest). Keyset paging: pass the last
 * row's seq as the next `before`. */
int store_pledges_page(struct store *s, const char *campaign_id, int64_t before,
                       int limit,
                       int (*fn)(void *ctx, const struct pledge_row *p),
                       void *ctx, struct fault *f)
    __attribute__((warn_unused_result));

/* One stored receipt of a campaign, with what the ledger says at its seq. */
struct receipt_row {
    const char *subject_id;
    const char *body; /* canonical(R) as signed */
    const char *signature;
    unsigned char public_key[32]; /* of the receipt's kid */
    bool has_entry;               /* the ledger has an entry at R's seq */
    char entry_hash_hex[65];      /* its entry_hash */
    int64_t entry_amount;
};

/* Calls fn for every stored receipt of the campaign. */
int store_receipts_walk(struct store *s, const char *campaign_id,
                        int (*fn)(void *ctx, const struct receipt_row *r),
                        void *ctx, struct fault *f)
    __attribute__((warn_unused_result));

/* Appends to the admin log (for an action that changes nothing else:
 * changes log theirs in their own transaction). */
int store_admin_log(struct store *s, const struct admin_action *a,
                    struct fault *f) __attribute__((warn_unused_result));

int store_tokens_list(struct store *s,
                      int (*fn)(void *ctx, const struct token_info *t),
                      void *ctx, struct fault *f)
    __attribute__((warn_unused_result));

/* Revokes a live token and appends log (may be NULL) in one transaction.
 * FAULT_NOT_FOUND if there is no live token by that name. */
int store_token_revoke(struct store *s, const char *name,
                       const struct admin_action *log, struct fault *f)
    __attribute__((warn_unused_result));

/* A token by name, live or revoked (never its hash): 0 or
 * FAULT_NOT_FOUND. */
int store_token_get(struct token_info *t, struct store *s, const char *name,
                    struct fault *f) __attribute__((warn_unused_result));

/* The head seq of a campaign now: 0 and *seq, or FAULT_NOT_FOUND. */
int store_head_seq(int64_t *seq, struct store *s, const char *campaign_id,
                   struct fault *f) __attribute__((warn_unused_result));

/* Starts streaming a campaign's entries with seq <= until_seq and, when
 * has_from / has_to, created in [from_us, to_us], in seq order, one row at
 * a time (libpq single-row mode: memory does not grow with the ledger).
 * The store is busy until store_export_close(). */
int store_export_open(struct store *s, const char *campaign_id,
                      int64_t until_seq, bool has_from, int64_t from_us,
                      bool has_to, int64_t to_us, struct fault *f)
    __attribute__((warn_unused_result));

/* 1 and *row filled (its strings point into the store's current result
 * and stay valid until the next call or store_export_close()), 0 at the
 * end, or a fault. */
int store_export_next(struct export_row *row, struct store *s, struct fault *f)
    __attribute__((warn_unused_result));

/* Ends an export early or late; the store is usable again. */
void store_export_close(struct store *s);

/* LISTENs for totals changes (connecting if needed): 0 or
 * FAULT_UNAVAILABLE. Every write that moves a campaign's totals or
 * settings notifies with the campaign's id as payload. */
int store_listen_totals(struct store *s, struct fault *f)
    __attribute__((warn_unused_result));

/* Waits up to timeout_ms for notifications and calls fn with each payload.
 * 0 (also on timeout), or FAULT_UNAVAILABLE when the connection is lost
 * (LISTEN again after reconnecting). */
int store_notifications(struct store *s, int timeout_ms,
                        void (*fn)(void *ctx, const char *payload), void *ctx,
                        struct fault *f) __attribute__((warn_unused_result));

/* Stores an admin token's hash under name, and records idem (resource
 * "token", the name) and log (each may be NULL) in the same transaction.
 * FAULT_CONFLICT ("name") if a token of that name exists, live or
 * revoked; FAULT_RETRY if another request recorded the key first. */
int store_token_add(struct store *s, const char *name,
                    const unsigned char hash[32], const struct idem *idem,
                    const struct admin_action *log, struct fault *f)
    __attribute__((warn_unused_result));

/* The stored receipt of a pledge or refund id: 0 and out filled (body
 * malloc'd, see signed_doc_release), or FAULT_NOT_FOUND. */
int store_receipt_get(struct signed_doc *out, struct store *s,
                      const char *subject_id, struct fault *f)
    __attribute__((warn_unused_result));

/* Stores a receipt unless one exists for subject_id (then keeps that one). */
int store_receipt_put(struct store *s, const char *subject_id, const char *type,
                      const struct signed_doc *d, const char *kid,
                      struct fault *f) __attribute__((warn_unused_result));

/* Stores n receipts in one statement; stored[i] tells whether docs[i] was
 * stored (false: one existed for ids[i] already, and is kept). The commit
 * does not wait for the disk: a receipt is a deterministic function of its
 * committed ledger entry and key, so one lost in a crash is signed again,
 * byte for byte, on the next replay or audit. */
int store_receipts_put(bool *stored, struct store *s, const char *const *ids,
                       const struct signed_doc *docs, size_t n,
                       const char *type, const char *kid, struct fault *f)
    __attribute__((warn_unused_result));

/* Records a public key as the current one. With rotate, every other key is
 * marked retired in the same transaction; without, a second current key is
 * FAULT_CONFLICT ("another key is current"). Recording a kid that exists
 * changes nothing. */
int store_key_add(struct store *s, const char *kid, const unsigned char pk[32],
                  bool rotate, struct fault *f)
    __attribute__((warn_unused_result));

/* The public key of kid: 0, or FAULT_NOT_FOUND. */
int store_key_get(unsigned char pk[32], struct store *s, const char *kid,
                  struct fault *f) __attribute__((warn_unused_result));

/* Calls fn for every key, oldest first. */
int store_keys_list(struct store *s,
                    int (*fn)(void *ctx, const struct key_info *k), void *ctx,
                    struct fault *f) __attribute__((warn_unused_result));

#endif
