/* Proofs over HTTP (docs/VERIFY.md): checkpoints, inclusion and consistency
 * proofs, and the C2SP tlog-tiles of each campaign's log. */
#include "api/handlers.h"

#include "app/proofs.h"
#include "core/hex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest tree size and index we parse: sizes we sign stay exact in JSON. */
#define PROOF_NUM_MAX 9007199254740991LL

void handle_checkpoint_get(struct reply *out, struct request *req)
{
    struct fault f = {0};
    char *note = proofs_checkpoint(req->api->app, req->params[0], &f);
    if (note == NULL) {
        reply_fault(out, &f);
        return;
    }
    out->status = 200;
    out->content_type = "text/plain; charset=utf-8";
    /* A checkpoint moves with every pledge: always ask again. */
    reply_header(out, "Cache-Control", "no-cache");
    buf_puts(&out->body, note);
    free(note);
}

static json_t *hex_one(const unsigned char *h)
{
    char x[HEX32_LEN];
    hex_encode(x, h, MERKLE_HASH_LEN);
    return json_string(x);
}

static json_t *hexes(merkle_hash *h, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, hex_one(h[i]));
    return a;
}

/* A query number in 1..2^53-1 (absent: 0, when optional): true, or false
 * with a 422 naming it. */
static bool number(int64_t *v, struct reply *out, const struct request *req,
                   const char *name, bool required, const char *msg)
{
    if (required && req->query(req, name) == NULL) {
        reply_error(out, 422, "invalid_value", name, msg);
        return false;
    }
    if (query_int(v, req, name, 1, PROOF_NUM_MAX, 0))
        return true;
    reply_error(out, 422, "invalid_value", name, msg);
    return false;
}

static struct proof *proof_new(struct fault *f)
{
    struct proof *p = malloc(sizeof *p);
    if (p == NULL)
        fault_set(f, FAULT_NOMEM, NULL, "out of memory");
    return p;
}

void handle_proof_inclusion(struct reply *out, struct request *req)
{
    int64_t seq, size;
    if (!number(&seq, out, req, "seq", true,
                "seq must be the entry's seq (an integer from 1)") ||
        !number(&size, out, req, "size", false,
                "size must be a tree size (an integer from 1)"))
        return;
    struct fault f = {0};
    struct proof *p = proof_new(&f);
    if (p && proofs_inclusion(p, req->api->app, req->params[0], seq, size,
                              &f) == 0)
        reply_json_take(
            out, 200,
            json_pack("{s:s, s:I, s:I, s:I, s:o, s:o, s:o}", "campaign_id",
                      req->params[0], "seq", (json_int_t)seq, "leaf_index",
                      (json_int_t)p->first, "tree_size", (json_int_t)p->size,
                      "leaf_hash", hex_one(p->leaf), "root_hash",
                      hex_one(p->root), "path", hexes(p->path, p->n)));
    else
        reply_fault(out, &f);
    free(p);
}

void handle_proof_consistency(struct reply *out, struct request *req)
{
    int64_t from, to;
    if (!number(&from, out, req, "from", true,
                "from must be the older tree size (an integer from 1)") ||
        !number(&to, out, req, "to", false,
                "to must be the newer tree size (an integer from 1)"))
        return;
    struct fault f = {0};
    struct proof *p = proof_new(&f);
    if (p && proofs_consistency(p, req->api->app, req->params[0], from, to,
                                &f) == 0)
        reply_json_take(
            out, 200,
            json_pack("{s:s, s:I, s:I, s:o, s:o, s:o}", "campaign_id",
                      req->params[0], "from", (json_int_t)from, "to",
                      (json_int_t)p->size, "from_root_hash",
                      hex_one(p->first_root), "to_root_hash",
                      hex_one(p->root), "path", hexes(p->path, p->n)));
    else
        reply_fault(out, &f);
    free(p);
}

/* Reads the tile index path of tlog-tiles: 3-digit elements, all but the
 * last prefixed with "x" ("x001/x234/067" is 1234067). Advances *s past it:
 * true, or false when it does not have that exact form. */
static bool tile_index(int64_t *out, const char **s)
{
    int64_t n = 0;
    for (int k = 0; k < 6; k++) {
        const char *p = *s;
        bool more = p[0] == 'x';
        if (more)
            p++;
        for (int d = 0; d < 3; d++)
            if (p[d] < '0' || p[d] > '9')
                return false;
        n = n * 1000 + (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
        if (k == 0 && more && n == 0)
            return false; /* "x000/..." is not how any index is written */
        p += 3;
        if (more != (*p == '/'))
            return false;
        *s = more ? p + 1 : p;
        if (!more) {
            *out = n;
            return true;
        }
    }
    return false;
}

void handle_tile_get(struct reply *out, struct request *req)
{
    /* <L>/<N>[.p/<W>] or entries/<N>[.p/<W>] */
    const char *s = req->params[1];
    int level = 0;
    bool entries = strncmp(s, "entries/", 8) == 0;
    if (entries)
        s += 8;
    else if (s[0] >= '0' && s[0] <= '7' && s[1] == '/')
        level = s[0] - '0', s += 2;
    else
        s = "";
    int64_t index, width = MERKLE_TILE_WIDTH;
    bool ok = tile_index(&index, &s);
    if (ok && strncmp(s, ".p/", 3) == 0) {
        char *end;
        long w = strtol(s + 3, &end, 10);
        ok = s[3] >= '1' && s[3] <= '9' && *end == '\0' && w >= 1 &&
             w < MERKLE_TILE_WIDTH;
        width = w;
    } else if (ok) {
        ok = *s == '\0';
    }
    if (!ok) {
        reply_not_found(out, "tile");
        return;
    }
    struct fault f = {0};
    struct buf body;
    buf_init(&body);
    if (proofs_tile(&body, req->api->app, req->params[0], level, entries,
                    index, width, &f) != 0) {
        reply_fault(out, &f);
    } else {
        out->status = 200;
        out->content_type = "application/octet-stream";
        /* A tile's bytes never change, full or partial (tlog-tiles). */
        reply_header(out, "Cache-Control",
                     "public, max-age=31536000, immutable");
        buf_append(&out->body, body.data, body.len);
    }
    buf_release(&body);
}
