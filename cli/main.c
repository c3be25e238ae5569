/* pledged: the command line. One binary for serving and for operations;
 * every command is a use case of app/ (serve hands the app to api/). */
#include "api/http.h"
#include "api/ratelimit.h"
#include "api/server.h"
#include "app/admin.h"
#include "app/app.h"
#include "app/deliveries.h"
#include "app/exporting.h"
#include "app/keys.h"
#include "app/payments.h"
#include "app/scheduler.h"
#include "cli/verify_proof.h"
#include "core/checkpoint.h"
#include "core/cidr.h"
#include "core/export.h"
#include "core/ledger.h"
#include "core/receipt.h"
#include "core/signer.h"
#include "core/token.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <errno.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return v && *v ? v : fallback;
}

static unsigned env_uint(const char *name, unsigned fallback)
{
    const char *v = getenv(name);
    if (v == NULL || *v == '\0')
        return fallback;
    char *end;
    unsigned long n = strtoul(v, &end, 10);
    if (*end || n > 1000000) {
        fprintf(stderr, "pledged: ignoring bad %s=%s\n", name, v);
        return fallback;
    }
    return (unsigned)n;
}

static const char *key_file(void)
{
    return env_or("PLEDGED_KEY_FILE", "var/signing.key");
}

/* Prints "pledged: WHAT: context: cause (code); hint" and returns 1. */
static int fail(const char *what, const struct fault *f)
{
    char text[sizeof f->context + sizeof f->message + sizeof f->hint + 64];
    fault_describe(text, sizeof text, f);
    fprintf(stderr, "pledged: %s: %s\n", what, text);
    return 1;
}

static int cmd_migrate(struct app *a)
{
    struct fault f = {0};
    int applied = 0;
    size_t known = 0;
    if (app_migrate(a, &applied, &known, &f) != 0)
        return fail("migrate", &f);
    printf("migrate: %d applied, %zu known\n", applied, known);
    return 0;
}

static int cmd_seed(struct app *a)
{
    struct fault f = {0};
    int added = 0;
    if (app_seed(a, &added, &f) != 0)
        return fail("seed", &f);
    printf("seed: help-us ready, %d demo pledges added\n", added);
    return 0;
}

static int print_token(void *ctx, const struct token_info *t)
{
    (void)ctx;
    printf("%-24s created %s%s%s\n", t->name, t->created_at,
           t->revoked_at[0] ? "  revoked " : "", t->revoked_at);
    return 0;
}

static int cmd_token(struct app *a, int argc, char **argv)
{
    struct fault f = {0};
    if (argc == 3 && strcmp(argv[2], "list") == 0)
        return admin_tokens_list(a, print_token, NULL, &f)
                   ? fail("token list", &f)
                   : 0;
    if (argc == 4 && strcmp(argv[2], "revoke") == 0) {
        if (admin_token_revoke(a, NULL, argv[3], &f) != 0)
            return fail("token revoke", &f);
        printf("token %s revoked\n", argv[3]);
        return 0;
    }
    if (argc != 4 || strcmp(argv[2], "create") != 0) {
        fprintf(stderr, "usage: pledged token create|revoke NAME, "
                        "pledged token list\n");
        return 2;
    }
    char token[TOKEN_TEXT_LEN];
    struct token_info made;
    bool replayed;
    if (admin_token_create(&made, token, &replayed, a, NULL, argv[3], NULL,
                           &f) != 0)
        return fail("token create", &f);
    printf("%s\n", token);
    sodium_memzero(token, sizeof token);
    return 0;
}

static int cmd_audit(struct app *a, int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: pledged audit CAMPAIGN_ID\n");
        return 2;
    }
    struct audit au;
    struct fault f = {0};
    if (admin_audit(&au, a, NULL, argv[2], &f) != 0)
        return fail("audit", &f);
    const struct ledger_check check = au.ledger;
    printf("audit %s: %lld entries, raised_minor %lld, supporters %lld, "
           "%lld receipts: %s\n",
           argv[2], (long long)check.entries, (long long)check.raised_minor,
           (long long)check.supporters, (long long)au.receipts,
           ledger_check_ok(&check) ? "ok" : "PROBLEMS");
    for (size_t i = 0; i < check.nproblems && i < LEDGER_PROBLEMS_MAX; i++)
        printf("  %s\n", check.problems[i]);
    return ledger_check_ok(&check) ? 0 : 1;
}

static int cmd_keygen(struct app *a, int argc, char **argv)
{
    bool rotate = argc > 2 && strcmp(argv[2], "--rotate") == 0;
    struct stat st;
    struct fault f = {0};
    if (!rotate && stat(key_file(), &st) == 0) {
        fprintf(stderr, "pledged: %s exists; use keygen --rotate to replace "
                        "it\n", key_file());
        return 1;
    }
    struct signer *k = signer_generate(&f);
    int rc = 1;
    /* Record the public half first: a key file whose key the database
     * does not know would sign receipts no one can verify. */
    if (k == NULL || keys_publish(a, k, rotate, &f) != 0 ||
        signer_save(k, key_file(), &f) != 0) {
        if (f.code == FAULT_CONFLICT)
            fault_hint(&f, "use `pledged keygen --rotate` to replace it");
        fail("keygen", &f);
    } else
        rc = 0, printf("keygen: %s written to %s%s\n", k->kid, key_file(),
                       rotate ? " (previous key retired)" : "");
    signer_free(k);
    return rc;
}

static int cmd_verify(struct app *a, int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: pledged verify FILE\n");
        return 2;
    }
    json_error_t err;
    /* json_load_file reads the whole file; refuse absurd sizes first. */
    struct stat st;
    if (stat(argv[2], &st) != 0 || st.st_size > 1024 * 1024) {
        fprintf(stderr, "pledged: cannot read %s\n", argv[2]);
        return 2;
    }
    json_t *doc = json_load_file(argv[2], JSON_REJECT_DUPLICATES, &err);
    if (doc == NULL) {
        fprintf(stderr, "pledged: %s: %s\n", argv[2], err.text);
        return 2;
    }
    /* The local key stands in for the database when it is unreachable. */
    struct signer *local = signer_load(key_file(), NULL);
    bool valid = false;
    char kid[SIGNER_KID_MAX];
    struct fault f = {0};
    int rc = keys_verify(&valid, kid, a, doc, local, &f);
    json_decref(doc);
    signer_free(local);
    if (rc != 0) {
        fprintf(stderr, "pledged: %s: %s\n", argv[2], f.message);
        return 1;
    }
    printf("%s: %s (kid %s)\n", argv[2], valid ? "valid" : "INVALID",
           kid[0] ? kid : "none");
    return valid ? 0 : 1;
}

static int cmd_export(struct app *a, int argc, char **argv)
{
    struct export_params p;
    memset(&p, 0, sizeof p);
    const char *out_path = NULL;
    if (argc < 3 || strlen(argv[2]) >= sizeof p.campaign_id) {
        fprintf(stderr, "usage: pledged export ID [--format csv|jsonl] "
                        "[--from T] [--to T] [--until-seq N] [-o FILE]\n");
        return 2;
    }
    memcpy(p.campaign_id, argv[2], strlen(argv[2]) + 1);
    for (int i = 3; i < argc; i++) {
        const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        int bad = val == NULL;
        if (strcmp(opt, "--format") == 0 && val)
            bad = export_format_parse(&p.format, val) != 0;
        else if (strcmp(opt, "--from") == 0 && val)
            bad = clock_parse(&p.from_us, val) != 0, p.has_from = true;
        else if (strcmp(opt, "--to") == 0 && val)
            bad = clock_parse(&p.to_us, val) != 0, p.has_to = true;
        else if (strcmp(opt, "--until-seq") == 0 && val)
            bad = (p.until_seq = strtoll(val, NULL, 10)) < 1;
        else if (strcmp(opt, "-o") == 0 && val)
            out_path = val;
        else
            bad = 1;
        if (bad) {
            fprintf(stderr, "pledged export: bad option %s\n", opt);
            return 2;
        }
        i++;
    }
    FILE *out = out_path ? fopen(out_path, "wb") : stdout;
    if (out == NULL) {
        fprintf(stderr, "pledged export: cannot write %s\n", out_path);
        return 1;
    }
    struct exporting *e = NULL;
    struct fault f = {0};
    int rc = exporting_open(&e, a, &p, NULL, NULL, &f);
    while (rc == 0) { /* out starts with the CSV header */
        struct export *x = exporting_export(e);
        if (fwrite(x->out.data, 1, x->out.len, out) != x->out.len)
            rc = fault_set(&f, FAULT_INTERNAL, NULL, "write failed");
        buf_reset(&x->out);
        if (rc != 0 || x->done)
            break;
        rc = exporting_fill(e, 64 * 1024, &f);
    }
    exporting_close(e);
    if (out != stdout && fclose(out) != 0 && rc == 0)
        rc = fault_set(&f, FAULT_INTERNAL, NULL, "write failed");
    if (rc != 0)
        return fail("export", &f);
    fflush(stdout);
    return 0;
}

/* Whether kid is retired (a serve on it would sign receipts that read
 * as forgeries). */
static int cmd_serve(void)
{
    /* Core dumps could carry secrets (keys, tokens in flight). */
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_CORE, &none);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    struct server_config cfg = {
        .listen = env_or("PLEDGED_LISTEN", "127.0.0.1:8080"),
        .threads = env_uint("PLEDGED_THREADS", cores > 0 ? (unsigned)cores : 2),
        .connection_limit = env_uint("PLEDGED_MAX_CONNECTIONS", 1000),
        .timeout_s = env_uint("PLEDGED_TIMEOUT", 15),
    };
    if (cfg.threads == 0)
        cfg.threads = 1;
    /* The connection budget: one address may hold 1/20 of all, so that a
     * handful of addresses cannot fill the server (docs/SECURITY.md). */
    unsigned share = cfg.connection_limit / 20;
    cfg.per_ip_limit = env_uint("PLEDGED_PER_IP_CONNECTIONS",
                                share ? share : 1);
    struct fault f = {0};
    static struct cidr_list trusted;
    if (cidr_list_parse(&trusted, getenv("PLEDGED_TRUSTED_PROXIES"), &f) != 0)
        return fail("serve: PLEDGED_TRUSTED_PROXIES", &f);
    const char *proxy_header = env_or("PLEDGED_PROXY_HEADER",
                                      "X-Forwarded-For");
    if (strcasecmp(proxy_header, "X-Forwarded-For") != 0 &&
        strcasecmp(proxy_header, "Forwarded") != 0) {
        fprintf(stderr, "pledged: PLEDGED_PROXY_HEADER is X-Forwarded-For "
                        "or Forwarded\n");
        return 1;
    }
    struct signer *key = signer_load(key_file(), &f);
    if (key == NULL)
        return fail("serve: signing key", &f);
    /* Webhook deliveries (docs/WEBHOOKS.md). */
    static struct cidr_list webhook_allow;
    if (cidr_list_parse(&webhook_allow, getenv("PLEDGED_WEBHOOK_ALLOW"), &f)) {
        fault_context(&f, "PLEDGED_WEBHOOK_ALLOW");
        return fail("serve", &f);
    }
    const char *log_name = getenv("PLEDGED_LOG_NAME");
    if (log_name && log_name[0] && !checkpoint_name_ok(log_name)) {
        fault_set(&f, FAULT_INVALID, "PLEDGED_LOG_NAME",
                  "1 to 100 printable characters, no space and no '+'");
        return fail("serve", &f);
    }
    struct delivery_options deliveries = {
        .workers = env_uint("PLEDGED_WEBHOOK_WORKERS", 2),
        .allow = &webhook_allow,
        .timeout_ms = env_uint("PLEDGED_WEBHOOK_TIMEOUT_MS", 10000),
        .backoff_ms = env_uint("PLEDGED_WEBHOOK_BACKOFF_MS", 1000),
        .give_up_s = env_uint("PLEDGED_WEBHOOK_GIVE_UP_S", 3 * 24 * 3600),
    };
    struct app_config ac = {
        .conninfo = env_or("DATABASE_URL", ""),
        .direct_conninfo = getenv("PLEDGED_DIRECT_URL"),
        .read_conninfo = getenv("PLEDGED_READ_URL"),
        .no_prepare = env_uint("PLEDGED_DB_PREPARE", 1) == 0,
        .deliveries = &deliveries,
        .connections = env_uint("PLEDGED_DB_CONNECTIONS", cfg.threads),
        .signer = key,
        .serve = true,
        .committers = env_uint("PLEDGED_COMMITTERS", 2),
        .batch_max = env_uint("PLEDGED_BATCH_MAX", 256),
        .batch_wait_us = env_uint("PLEDGED_BATCH_WAIT_US", 0),
        .stripe_webhook_secret = getenv("PLEDGED_STRIPE_WEBHOOK_SECRET"),
        .log_name = log_name,
    };
    struct api api = {
        .app = app_open(&ac, &f),
        .trusted_proxies = &trusted,
        .proxy_header = proxy_header,
        .metrics_token = getenv("PLEDGED_METRICS_TOKEN"),
        .stripe_publishable_key = getenv("PLEDGED_STRIPE_PUBLISHABLE_KEY"),
        .stripe_js = env_or("PLEDGED_STRIPE_JS", "https://js.stripe.com/v3/"),
        .exports_max = env_uint("PLEDGED_MAX_EXPORTS", 4),
        .auth_limit = ratelimit_new(0.1, 10), /* 10 failures, then 1/10 s */
    };
    unsigned rate = env_uint("PLEDGED_RATE_LIMIT", 20);
    if (rate > 0)
        api.post_limit = ratelimit_new(rate, env_uint("PLEDGED_RATE_BURST",
                                                      rate * 2));
    int rc = 1;
    if (api.app == NULL) {
        fail("serve", &f);
        goto done;
    }
    /* Make sure the key's public half is published (a database that is
     * down now is retried by every request later), and never sign with a
     * key the database calls retired. */
    if ((rc = keys_publish(api.app, key, false, &f)) == FAULT_CONFLICT) {
        fault_context(&f, "key %s is not the current key in the database",
                      key->kid);
        fault_hint(&f, "point PLEDGED_KEY_FILE at the current key, or run "
                       "`pledged keygen --rotate`");
        rc = fail("serve", &f);
        goto done;
    }
    if (rc != 0)
        fprintf(stderr, "pledged: warning: %s\n", f.message);
    /* The timed jobs (app/scheduler.h): the unpaid-promise sweep. */
    unsigned sweep_s = env_uint("PLEDGED_SWEEP_SECS", 60);
    const struct job jobs[] = {{"sweep", sweep_s * 1000, payments_sweep_job}};
    if (sweep_s && (api.app->scheduler = scheduler_start(api.app, jobs, 1)) ==
                       NULL) {
        fprintf(stderr, "pledged: cannot start the scheduler\n");
        rc = 1;
        goto done;
    }
    rc = server_run(&cfg, &api) == 0 ? 0 : 1;
done:
    app_close(api.app);
    ratelimit_free(api.post_limit);
    ratelimit_free(api.auth_limit);
    signer_free(key);
    return rc ? 1 : 0;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: pledged COMMAND\n"
            "  serve              serve HTTP on PLEDGED_LISTEN\n"
            "  migrate            apply pending SQL migrations\n"
            "  seed               create the reference campaign help-us\n"
            "  keygen [--rotate]  make the signing key (PLEDGED_KEY_FILE)\n"
            "  token create NAME  make an admin token (printed once)\n"
            "  token list         admin tokens (names and dates only)\n"
            "  token revoke NAME  revoke an admin token\n"
            "  verify FILE        check a receipt or head (0 valid, 1 not, "
            "2 unreadable)\n"
            "  verify RECEIPT --proof P --checkpoint C --key NOTE_KEY\n"
            "                     offline: the receipt's entry is in the "
            "signed log\n"
            "  audit ID           verify a campaign's chain and totals\n"
            "  export ID [--format csv|jsonl] [--from T] [--to T]\n"
            "         [--until-seq N] [-o FILE]   the ledger, as over HTTP\n"
            "Database: DATABASE_URL (libpq conninfo).\n");
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        fprintf(stderr, "pledged: libsodium failed to initialise\n");
        return 1;
    }
    if (argc < 2) {
        usage();
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve();
    if (strcmp(cmd, "verify") == 0 && verify_proof_wanted(argc, argv))
        return verify_proof_main(argc, argv);
    static const char *const commands[] = {"migrate", "seed",   "token",
                                           "audit",   "keygen", "verify",
                                           "export"};
    bool known = false;
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        known |= strcmp(cmd, commands[i]) == 0;
    if (!known) {
        usage();
        return 2;
    }
    /* With a key at hand, seed signs the demo pledges' receipts too. */
    struct signer *key = signer_load(key_file(), NULL);
    struct fault f = {0};
    struct app_config ac = {.conninfo = env_or("DATABASE_URL", ""),
                            .direct_conninfo = getenv("PLEDGED_DIRECT_URL"),
                            .read_conninfo = getenv("PLEDGED_READ_URL"),
                            .no_prepare =
                                env_uint("PLEDGED_DB_PREPARE", 1) == 0,
                            .connections = 1,
                            .signer = key};
    struct app *a = app_open(&ac, &f);
    if (a == NULL) {
        signer_free(key);
        return fail(cmd, &f);
    }
    int rc;
    if (strcmp(cmd, "migrate") == 0)
        rc = cmd_migrate(a);
    else if (strcmp(cmd, "seed") == 0)
        rc = cmd_seed(a);
    else if (strcmp(cmd, "token") == 0)
        rc = cmd_token(a, argc, argv);
    else if (strcmp(cmd, "keygen") == 0)
        rc = cmd_keygen(a, argc, argv);
    else if (strcmp(cmd, "verify") == 0)
        rc = cmd_verify(a, argc, argv);
    else if (strcmp(cmd, "export") == 0)
        rc = cmd_export(a, argc, argv);
    else
        rc = cmd_audit(a, argc, argv);
    app_close(a);
    signer_free(key);
    return rc;
}
