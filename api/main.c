/* pledged: the command line. One binary for serving and for operations. */
#include "api/server.h"
#include "core/embed.h"
#include "core/ledger.h"
#include "core/pool.h"
#include "core/seed.h"
#include "core/store.h"
#include "core/token.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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

static int fail(const char *what, const struct fault *f)
{
    fprintf(stderr, "pledged: %s: %s (%s)\n", what,
            f->message[0] ? f->message : fault_name(f->code),
            fault_name(f->code));
    return 1;
}

static struct store *open_store(void)
{
    struct store *s = store_new(env_or("DATABASE_URL", ""));
    if (s == NULL)
        fprintf(stderr, "pledged: out of memory\n");
    return s;
}

static int cmd_migrate(struct store *s)
{
    struct migration m[32];
    size_t n = embedded_sql_count < 32 ? embedded_sql_count : 32;
    for (size_t i = 0; i < n; i++)
        m[i] = (struct migration){embedded_sql[i].name,
                                  (const char *)embedded_sql[i].data};
    struct fault f = {0};
    int applied = 0;
    if (store_migrate(s, m, n, &applied, &f) != 0)
        return fail("migrate", &f);
    printf("migrate: %d applied, %zu known\n", applied, n);
    return 0;
}

static int cmd_seed(struct store *s)
{
    struct fault f = {0};
    int added = 0;
    if (seed_reference(s, &added, &f) != 0)
        return fail("seed", &f);
    printf("seed: help-us ready, %d demo pledges added\n", added);
    return 0;
}

static int cmd_token(struct store *s, int argc, char **argv)
{
    if (argc < 4 || strcmp(argv[2], "create") != 0) {
        fprintf(stderr, "usage: pledged token create NAME\n");
        return 2;
    }
    char token[TOKEN_TEXT_LEN];
    struct fault f = {0};
    if (token_create(token, s, argv[3], &f) != 0)
        return fail("token create", &f);
    printf("%s\n", token);
    sodium_memzero(token, sizeof token);
    return 0;
}

static int audit_entry(void *ctx, const struct ledger_entry *e)
{
    ledger_check_add(ctx, e);
    return 0;
}

static int cmd_audit(struct store *s, int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: pledged audit CAMPAIGN_ID\n");
        return 2;
    }
    struct ledger_check check;
    struct totals t;
    struct fault f = {0};
    ledger_check_init(&check, argv[2]);
    if (store_ledger_walk(&t, s, argv[2], audit_entry, &check, &f) != 0)
        return fail("audit", &f);
    ledger_check_totals(&check, &t);
    printf("audit %s: %lld entries, raised_minor %lld, supporters %lld: %s\n",
           argv[2], (long long)check.entries, (long long)check.raised_minor,
           (long long)check.supporters, ledger_check_ok(&check) ? "ok"
                                                                 : "PROBLEMS");
    for (size_t i = 0; i < check.nproblems && i < LEDGER_PROBLEMS_MAX; i++)
        printf("  %s\n", check.problems[i]);
    return ledger_check_ok(&check) ? 0 : 1;
}

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
        .per_ip_limit = env_uint("PLEDGED_PER_IP_CONNECTIONS", 200),
        .timeout_s = env_uint("PLEDGED_TIMEOUT", 15),
    };
    if (cfg.threads == 0)
        cfg.threads = 1;
    struct app app = {
        .pool = pool_new(env_or("DATABASE_URL", ""),
                         env_uint("PLEDGED_DB_CONNECTIONS", cfg.threads)),
    };
    if (app.pool == NULL) {
        fprintf(stderr, "pledged: out of memory\n");
        return 1;
    }
    int rc = server_run(&cfg, &app) == 0 ? 0 : 1;
    pool_free(app.pool);
    return rc;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: pledged COMMAND\n"
            "  serve              serve HTTP on PLEDGED_LISTEN\n"
            "  migrate            apply pending SQL migrations\n"
            "  seed               create the reference campaign help-us\n"
            "  token create NAME  make an admin token (printed once)\n"
            "  audit ID           verify a campaign's chain and totals\n"
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
    if (strcmp(cmd, "migrate") != 0 && strcmp(cmd, "seed") != 0 &&
        strcmp(cmd, "token") != 0 && strcmp(cmd, "audit") != 0) {
        usage();
        return 2;
    }
    struct store *s = open_store();
    if (s == NULL)
        return 1;
    int rc;
    if (strcmp(cmd, "migrate") == 0)
        rc = cmd_migrate(s);
    else if (strcmp(cmd, "seed") == 0)
        rc = cmd_seed(s);
    else if (strcmp(cmd, "token") == 0)
        rc = cmd_token(s, argc, argv);
    else
        rc = cmd_audit(s, argc, argv);
    store_free(s);
    return rc;
}
