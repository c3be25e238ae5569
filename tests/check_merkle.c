/* The Merkle tree (core/merkle.h) against RFC 9162's definitions and the
 * RFC 6962 test vectors, its proofs against its own verifiers over every
 * small size, signed checkpoints, and the migration that builds the trees
 * of entries written before it (store/merkle.c). */
#include "suites.h"
#include "testdb.h"

#include "app/pledging.h"
#include "core/checkpoint.h"
#include "core/hex.h"
#include "core/merkle.h"
#include "store/internal.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define MAXN 600

static merkle_hash leaves[MAXN + 1];

/* RFC 9162 2.1.1 as written: MTH(D[n]) = HASH(0x01 || MTH(D[0:k]) ||
 * MTH(D[k:n])), k the largest power of two below n. */
static void mth(merkle_hash out, merkle_hash *d, int64_t n)
{
    if (n == 0) {
        crypto_hash_sha256(out, NULL, 0);
        return;
    }
    if (n == 1) {
        memcpy(out, d[0], 32);
        return;
    }
    int64_t k = 1;
    while (k * 2 < n)
        k *= 2;
    merkle_hash l, r;
    mth(l, d, k);
    mth(r, d + k, n - k);
    merkle_node(out, l, r);
}

static void make_leaves(void)
{
    for (int i = 0; i <= MAXN; i++) {
        unsigned char data[8] = {(unsigned char)i, (unsigned char)(i >> 8), 7};
        merkle_leaf(leaves[i], data, sizeof data);
    }
}

/* The stored tiles of a tree of MAXN leaves, from the reference. */
static int read_ref(void *ctx, int level, int64_t first, int64_t count,
                    merkle_hash *out, struct fault *f)
{
    (void)ctx;
    (void)f;
    int64_t span = (int64_t)1 << (8 * level);
    for (int64_t i = 0; i < count; i++)
        mth(out[i], leaves + (first + i) * span, span);
    return 0;
}

START_TEST(rfc6962_test_vectors)
{
    static const unsigned char *in[8] = {
        (const unsigned char *)"", (const unsigned char *)"\x00",
        (const unsigned char *)"\x10", (const unsigned char *)"\x20\x21",
        (const unsigned char *)"\x30\x31",
        (const unsigned char *)"\x40\x41\x42\x43",
        (const unsigned char *)"\x50\x51\x52\x53\x54\x55\x56\x57",
        (const unsigned char *)"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a"
                               "\x6b\x6c\x6d\x6e\x6f"};
    static const size_t len[8] = {0, 1, 1, 2, 2, 4, 8, 16};
    struct merkle_frontier fr;
    struct merkle_tile_node nodes[MERKLE_TILE_LEVELS];
    merkle_frontier_init(&fr);
    merkle_hash root, leaf;
    char hex[HEX32_LEN];
    merkle_root(root, &fr);
    hex_encode(hex, root, 32);
    ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934c"
                          "a495991b7852b855");
    for (int i = 0; i < 8; i++) {
        merkle_leaf(leaf, in[i], len[i]);
        ck_assert_uint_eq(merkle_push(&fr, leaf, nodes), 0);
        if (i == 0) {
            merkle_root(root, &fr);
            hex_encode(hex, root, 32);
            ck_assert_str_eq(hex, "6e340b9cffb37a989ca544e6bb780a2c78901d3f"
                                  "b33738768511a30617afa01d");
        }
    }
    merkle_root(root, &fr);
    hex_encode(hex, root, 32);
    ck_assert_str_eq(hex, "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960"
                          "cfe370eff4604328");
}
END_TEST

START_TEST(frontier_root_and_tile_nodes_match_the_definition)
{
    make_leaves();
    struct merkle_frontier fr;
    struct merkle_tile_node nodes[MERKLE_TILE_LEVELS];
    merkle_frontier_init(&fr);
    size_t emitted = 0;
    for (int n = 1; n <= MAXN; n++) {
        size_t k = merkle_push(&fr, leaves[n - 1], nodes);
        /* A level-1 tile node exactly when 256 leaves complete. */
        ck_assert_uint_eq(k, n % 256 == 0 ? 1 : 0);
        if (k) {
            merkle_hash want;
            mth(want, leaves + n - 256, 256);
            ck_assert_int_eq(nodes[0].level, 1);
            ck_assert_int_eq(nodes[0].index, n / 256 - 1);
            ck_assert_mem_eq(nodes[0].hash, want, 32);
            emitted++;
        }
        merkle_hash a, b;
        merkle_root(a, &fr);
        mth(b, leaves, n);
        ck_assert_mem_eq(a, b, 32);
        /* It survives a round trip through its stored bytes. */
        struct merkle_frontier back;
        ck_assert_int_eq(merkle_frontier_load(&back, n, &fr.h[0][0],
                                              merkle_frontier_count(n) * 32,
                                              NULL),
                         0);
        merkle_root(a, &back);
        ck_assert_mem_eq(a, b, 32);
    }
    ck_assert_uint_eq(emitted, MAXN / 256);
    ck_assert_int_eq(merkle_frontier_load(&fr, 3, &fr.h[0][0], 32, NULL),
                     FAULT_TAMPERED);
}
END_TEST

START_TEST(inclusion_proofs_verify_and_nothing_else_does)
{
    make_leaves();
    static merkle_hash path[MERKLE_PROOF_MAX];
    for (int64_t size = 1; size <= MAXN; size += size < 70 ? 1 : 37) {
        struct merkle_source src;
        ck_assert_int_eq(merkle_source_init(&src, read_ref, NULL, size, NULL),
                         0);
        merkle_hash root, leaf, next_root;
        mth(root, leaves, size);
        mth(next_root, leaves, size + 1);
        for (int64_t i = 0; i < size; i++) {
            size_t n;
            ck_assert_int_eq(merkle_inclusion(&src, i, path, &n, NULL), 0);
            ck_assert(merkle_verify_inclusion(leaves[i], i, size, path[0], n,
                                              root));
            /* Another leaf, index or size: refused. */
            ck_assert(!merkle_verify_inclusion(leaves[(i + 1) % MAXN], i,
                                               size, path[0], n, root));
            if (size > 1)
                ck_assert(!merkle_verify_inclusion(leaves[i], (i + 1) % size,
                                                   size, path[0], n, root));
            /* The root of another size (a size comes with its root, in
             * the signed checkpoint). */
            ck_assert(!merkle_verify_inclusion(leaves[i], i, size + 1,
                                               path[0], n, next_root));
            memcpy(leaf, leaves[i], 32);
            leaf[0] ^= 1;
            ck_assert(!merkle_verify_inclusion(leaf, i, size, path[0], n,
                                               root));
        }
        size_t n;
        ck_assert_int_eq(merkle_inclusion(&src, size, path, &n, NULL),
                         FAULT_INVALID);
        merkle_source_release(&src);
    }
}
END_TEST

START_TEST(consistency_proofs_verify_and_a_rewrite_does_not)
{
    make_leaves();
    static merkle_hash path[MERKLE_PROOF_MAX];
    for (int64_t size = 1; size <= MAXN; size += size < 40 ? 1 : 53) {
        struct merkle_source src;
        ck_assert_int_eq(merkle_source_init(&src, read_ref, NULL, size, NULL),
                         0);
        merkle_hash new_root, next_root;
        mth(new_root, leaves, size);
        mth(next_root, leaves, size + 1);
        for (int64_t m = 1; m <= size; m++) {
            merkle_hash old_root;
            mth(old_root, leaves, m);
            size_t n;
            ck_assert_int_eq(merkle_consistency(&src, m, path, &n, NULL), 0);
            ck_assert(merkle_verify_consistency(m, size, old_root, new_root,
                                                path[0], n));
            if (m == size)
                continue;
            /* The old tree rewritten in its first leaf: refused. */
            merkle_hash saved;
            memcpy(saved, leaves[0], 32);
            leaves[0][5] ^= 0x40;
            merkle_hash forged;
            mth(forged, leaves, m);
            memcpy(leaves[0], saved, 32);
            ck_assert(!merkle_verify_consistency(m, size, forged, new_root,
                                                 path[0], n));
            ck_assert(!merkle_verify_consistency(m, size, old_root,
                                                 next_root, path[0], n));
        }
        merkle_source_release(&src);
    }
}
END_TEST

START_TEST(checkpoint_signs_and_opens_only_with_its_key)
{
    struct fault f = {0};
    struct signer *k = signer_generate(&f), *other = signer_generate(&f);
    struct checkpoint c = {.size = 929, .raised_minor = 92900,
                           .collected_minor = 100, .goal_minor = 500000};
    strcpy(c.origin, "news.example/pledged/help-us");
    strcpy(c.currency, "USD");
    memset(c.root, 0xab, 32);
    char *note = checkpoint_sign(&c, "news.example/pledged", k);
    char vkey[CHECKPOINT_VKEY_MAX], ovkey[CHECKPOINT_VKEY_MAX];
    checkpoint_vkey(vkey, "news.example/pledged", k->public_key);
    checkpoint_vkey(ovkey, "news.example/pledged", other->public_key);
    ck_assert_ptr_nonnull(strstr(note, "news.example/pledged/help-us\n929\n"
                                       "q6urq6urq6urq6urq6urq6urq6urq6urq6ur"
                                       "q6urq6s=\nraised_minor 92900\n"
                                       "collected_minor 100\ngoal_minor "
                                       "500000\ncurrency USD\n\n\xe2\x80\x94 "
                                       "news.example/pledged "));
    struct checkpoint got;
    ck_assert_int_eq(checkpoint_open(&got, note, strlen(note), vkey, &f), 0);
    ck_assert_int_eq(got.size, 929);
    ck_assert_int_eq(got.raised_minor, 92900);
    ck_assert_int_eq(got.collected_minor, 100);
    ck_assert_int_eq(got.goal_minor, 500000);
    ck_assert_str_eq(got.currency, "USD");
    ck_assert_mem_eq(got.root, c.root, 32);
    struct fault g = {0};
    ck_assert_int_eq(checkpoint_open(&got, note, strlen(note), ovkey, &g),
                     FAULT_INVALID);
    ck_assert_str_eq(g.field, "signature");
    /* Any changed byte of the text fails. */
    char *bad = strdup(note);
    bad[strlen("news.example/pledged/help-us\n92")] = '8';
    memset(&g, 0, sizeof g);
    ck_assert_int_eq(checkpoint_open(&got, bad, strlen(bad), vkey, &g),
                     FAULT_INVALID);
    ck_assert_str_eq(g.field, "signature");
    ck_assert(!checkpoint_name_ok("has space"));
    ck_assert(!checkpoint_name_ok("a+b"));
    ck_assert(checkpoint_name_ok("news.example/pledged"));
    free(bad);
    free(note);
    signer_free(k);
    signer_free(other);
}
END_TEST

static void pledge_n(struct store *s, const char *campaign, int n)
{
    for (int i = 0; i < n; i++) {
        struct pledge p;
        bool replayed;
        struct fault f = {0};
        struct pledge_request r = testdb_request(100 + i);
        ck_assert_msg(pledging_make(&p, &replayed, s, campaign, &r, NULL, &f) ==
                          0, "%s", f.message);
    }
}

static void sql(PGconn *db, const char *q)
{
    PGresult *r = PQexec(db, q);
    ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK ||
                      PQresultStatus(r) == PGRES_TUPLES_OK,
                  "%s: %s", q, PQresultErrorMessage(r));
    PQclear(r);
}

/* A ledger from before 009_merkle.sql (no leaves, nodes or frontier) gets
 * its trees from the migration's C step, and audits clean. */
START_TEST(migration_builds_the_trees_of_older_entries)
{
    struct store *s = testdb_store();
    struct campaign c;
    testdb_campaign(&c, s, "older");
    pledge_n(s, c.id, 300);
    struct ledger_check before;
    ck_assert_uint_eq(testdb_audit(&before, s, c.id), 0);
    PGconn *db = testdb_raw();
    sql(db, "BEGIN");
    sql(db, "ALTER TABLE ledger_entries DISABLE TRIGGER "
            "ledger_entries_append_only");
    sql(db, "ALTER TABLE merkle_nodes DISABLE TRIGGER "
            "merkle_nodes_append_only");
    sql(db, "ALTER TABLE ledger_entries ALTER COLUMN leaf_hash DROP NOT NULL");
    sql(db, "UPDATE ledger_entries SET leaf_hash = NULL");
    sql(db, "DELETE FROM merkle_nodes");
    sql(db, "UPDATE campaign_totals SET tree_frontier = '\\x'");
    sql(db, "ALTER TABLE merkle_nodes ENABLE TRIGGER "
            "merkle_nodes_append_only");
    sql(db, "ALTER TABLE ledger_entries ENABLE TRIGGER "
            "ledger_entries_append_only");
    sql(db, "COMMIT");
    PQfinish(db);
    struct fault f = {0};
    ck_assert_int_eq(st_exec(s, "BEGIN", &f), 0);
    st_migration_step *step = st_migration_step_of("009_merkle.sql");
    ck_assert(step != NULL);
    ck_assert_msg(step(s, &f) == 0, "%s", f.message);
    ck_assert_int_eq(st_commit(s, &f), 0);
    struct ledger_check after;
    ck_assert_uint_eq(testdb_audit(&after, s, c.id), 0);
    merkle_hash a, b;
    merkle_root(a, &before.tree);
    merkle_root(b, &after.tree);
    ck_assert_mem_eq(a, b, 32);
    /* The ledger is append-only again (refused by that guard, not by
     * another constraint), and its leaves required. */
    db = testdb_raw();
    PGresult *r = PQexec(db, "UPDATE ledger_entries SET amount_minor = "
                             "amount_minor");
    ck_assert_int_eq(PQresultStatus(r), PGRES_FATAL_ERROR);
    ck_assert_msg(strstr(PQresultErrorMessage(r), "append-only") != NULL,
                  "%s", PQresultErrorMessage(r));
    PQclear(r);
    r = PQexec(db, "SELECT is_nullable FROM information_schema.columns "
                   "WHERE table_name = 'ledger_entries' AND "
                   "column_name = 'leaf_hash'");
    ck_assert_str_eq(PQgetvalue(r, 0, 0), "NO");
    PQclear(r);
    PQfinish(db);
    /* And appends go on from the rebuilt frontier. */
    pledge_n(s, c.id, 3);
    ck_assert_uint_eq(testdb_audit(&after, s, c.id), 0);
    store_free(s);
}
END_TEST

Suite *merkle_suite(void)
{
    Suite *s = suite_create("merkle");
    TCase *t = tcase_create("core");
    tcase_set_timeout(t, 60);
    tcase_add_test(t, rfc6962_test_vectors);
    tcase_add_test(t, frontier_root_and_tile_nodes_match_the_definition);
    tcase_add_test(t, inclusion_proofs_verify_and_nothing_else_does);
    tcase_add_test(t, consistency_proofs_verify_and_a_rewrite_does_not);
    tcase_add_test(t, checkpoint_signs_and_opens_only_with_its_key);
    suite_add_tcase(s, t);
    TCase *db = tcase_create("database");
    tcase_set_timeout(db, 60);
    tcase_add_test(db, migration_builds_the_trees_of_older_entries);
    suite_add_tcase(s, db);
    return s;
}
