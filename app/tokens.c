/* Admin tokens: made, listed and revoked, from the command line (who NULL:
 * nothing logged) or by staff over HTTP (logged with the change). */
#include "app/admin.h"

#include "app/app.h"
#include "app/keyed.h"
#include "store/pool.h"
#include "store/store.h"

#include <sodium.h>
#include <string.h>

struct create_run {
    struct token_info *made;
    char *out;
    bool *replayed;
    struct store *s;
    const char *name;
    const struct idem *idem;
    const struct admin_action *log;
};

static int create_op(void *ctx, struct fault *f)
{
    struct create_run *r = ctx;
    struct idem_record rec;
    int rc = keyed_lookup(&rec, r->s, r->idem, "token", f);
    if (rc < 0)
        return rc;
    if (rc == 1) { /* the text is gone: only its hash was kept */
        *r->replayed = true;
        return store_token_get(r->made, r->s, rec.resource_id, f);
    }
    unsigned char hash[32];
    token_generate(r->out, hash);
    rc = store_token_add(r->s, r->name, hash, r->idem, r->log, f);
    sodium_memzero(hash, sizeof hash);
    if (rc) {
        sodium_memzero(r->out, TOKEN_TEXT_LEN);
        return rc;
    }
    return store_token_get(r->made, r->s, r->name, f);
}

int admin_token_create(struct token_info *made, char out[TOKEN_TEXT_LEN],
                       bool *replayed, struct app *a, const char *who,
                       const char *name, const struct idem *idem,
                       struct fault *f)
{
    *replayed = false;
    memset(made, 0, sizeof *made);
    memset(out, 0, TOKEN_TEXT_LEN);
    if (!token_name_valid(name))
        return fault_set(f, FAULT_INVALID, "name",
                         "token names are 1-64 of [A-Za-z0-9_.-]");
    struct admin_action log = {who, "token.create", name, ""};
    struct store *s = pool_acquire(a->pool, POOL_WAIT_MS, f);
    struct create_run r = {made,  out,  replayed,
                           s,     name, idem,
                           who ? &log : NULL};
    int rc = s ? keyed_run(create_op, &r, f) : FAULT_UNAVAILABLE;
    pool_release(a->pool, s);
    if (rc)
        sodium_memzero(out, TOKEN_TEXT_LEN);
    return rc;
}

int admin_tokens_list(struct app *a,
                      int (*fn)(void *ctx, const struct token_info *t),
                      void *ctx, struct fault *f)
{
    struct store *s = pool_acquire(a->pool, POOL_WAIT_MS, f);
    int rc = s ? store_tokens_list(s, fn, ctx, f) : FAULT_UNAVAILABLE;
    pool_release(a->pool, s);
    return rc;
}

int admin_token_revoke(struct app *a, const char *who, const char *name,
                       struct fault *f)
{
    if (!token_name_valid(name))
        return fault_set(f, FAULT_NOT_FOUND, NULL, "no live token of that "
                                                   "name");
    if (who && strcmp(who, name) == 0)
        return fault_set(f, FAULT_CONFLICT, NULL,
                         "this is the token you are signed in with: sign in "
                         "with another token to revoke it");
    struct admin_action log = {who, "token.revoke", name, ""};
    struct store *s = pool_acquire(a->pool, POOL_WAIT_MS, f);
    int rc = s ? store_token_revoke(s, name, who ? &log : NULL, f)
               : FAULT_UNAVAILABLE;
    pool_release(a->pool, s);
    return rc;
}
