/* The widget, the embed page and the demo article, compiled into the
 * binary from web/ (scripts/embed). */
#include "api/handlers.h"
#include "core/campaign.h"
#include "core/embed.h"
#include "core/hex.h"

#include <sodium.h>
#include <string.h>

extern const struct embedded_file embedded_web[];
extern const size_t embedded_web_count;

static const struct embedded_file *find(const char *name)
{
    for (size_t i = 0; i < embedded_web_count; i++)
        if (strcmp(embedded_web[i].name, name) == 0)
            return &embedded_web[i];
    return NULL;
}

/* A strong ETag from the bytes themselves. */
static void etag_of(char out[40], const void *data, size_t len)
{
    unsigned char h[12];
    crypto_generichash(h, sizeof h, data, len, NULL, 0);
    out[0] = '"';
    hex_encode(out + 1, h, sizeof h);
    out[25] = '"';
    out[26] = '\0';
}

static void serve(struct reply *out, struct request *req, const char *type,
                  const char *cache, const void *data, size_t len)
{
    char etag[40];
    etag_of(etag, data, len);
    out->content_type = type;
    reply_header(out, "ETag", etag);
    reply_header(out, "Cache-Control", cache);
    const char *inm = req->header(req, "If-None-Match");
    if (inm && strcmp(inm, etag) == 0) {
        out->status = 304;
        return;
    }
    out->status = 200;
    buf_append(&out->body, data, len);
}

static void serve_file(struct reply *out, struct request *req,
                       const char *name, const char *type, const char *cache)
{
    const struct embedded_file *f = find(name);
    if (f == NULL) {
        reply_not_found(out, "file");
        return;
    }
    serve(out, req, type, cache, f->data, f->len);
}

/* Every page runs only our own script (the widget), loads nothing from
 * elsewhere and talks only to us; the demo page may not be framed, the
 * widget's page is made to be. */
#define PAGE_CSP                                                              \
    "default-src 'none'; script-src 'self'; connect-src 'self'; "            \
    "style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; "     \
    "form-action 'none'; "

/* Our pages' policy; with a card form configured, the widget may load
 * Stripe.js from its origin, which frames js.stripe.com and
 * hooks.stripe.com and talks to api.stripe.com (Stripe's CSP guide). */
static void page_csp(struct reply *out, const struct request *req,
                     const char *ancestors)
{
    const struct api *api = req->api;
    char origin[160] = "";
    const char *js = api->stripe_js, *host = js ? strstr(js, "://") : NULL;
    if (api->stripe_publishable_key && api->stripe_publishable_key[0] &&
        host && strncmp(js, "https://", 8) == 0) {
        size_t n = (size_t)(host + 3 - js) + strcspn(host + 3, "/?#");
        if (n < sizeof origin && strcspn(js, " ;,'\"") >= n)
            snprintf(origin, sizeof origin, "%.*s", (int)n, js);
    }
    char csp[512];
    if (origin[0])
        snprintf(csp, sizeof csp,
                 "default-src 'none'; script-src 'self' %s; connect-src "
                 "'self' https://api.stripe.com; frame-src "
                 "https://js.stripe.com https://hooks.stripe.com; "
                 "style-src 'unsafe-inline'; img-src 'self' data:; "
                 "base-uri 'none'; form-action 'none'; frame-ancestors %s",
                 origin, ancestors);
    else
        snprintf(csp, sizeof csp, PAGE_CSP "frame-ancestors %s", ancestors);
    reply_header(out, "Content-Security-Policy", csp);
}

void handle_index(struct reply *out, struct request *req)
{
    page_csp(out, req, "'none'");
    reply_header(out, "Referrer-Policy", "no-referrer");
    serve_file(out, req, "index.html", "text/html; charset=utf-8",
               "no-cache");
}

void handle_widget_js(struct reply *out, struct request *req)
{
    /* Short cache: embedders pick up fixes within minutes. */
    serve_file(out, req, "widget.js", "text/javascript; charset=utf-8",
               "public, max-age=300");
}

void handle_verify_js(struct reply *out, struct request *req)
{
    /* Loaded by the widget when a donor asks to verify a gift. */
    serve_file(out, req, "verify.js", "text/javascript; charset=utf-8",
               "public, max-age=300");
}

void handle_embed(struct reply *out, struct request *req)
{
    const struct embedded_file *f = find("embed.html");
    const char *id = req->params[0];
    if (f == NULL || !campaign_id_valid(id)) {
        reply_not_found(out, "campaign");
        return;
    }
    page_csp(out, req, "*");
    reply_header(out, "Referrer-Policy", "no-referrer");
    /* The id is [a-z0-9-] only, so it needs no escaping in HTML. */
    const char *mark = strstr((const char *)f->data, "{{CAMPAIGN}}");
    struct buf page;
    buf_init(&page);
    size_t head = (size_t)(mark - (const char *)f->data);
    buf_append(&page, f->data, head);
    buf_puts(&page, id);
    buf_puts(&page, mark + strlen("{{CAMPAIGN}}"));
    serve(out, req, "text/html; charset=utf-8", "no-cache", page.data,
          page.len);
    buf_release(&page);
}

/* The dashboard may not be framed and runs only our own script. */
static void admin_headers(struct reply *out)
{
    reply_header(out, "X-Frame-Options", "DENY");
    reply_header(out, "Content-Security-Policy",
                 "default-src 'none'; script-src 'self'; connect-src 'self'; "
                 "style-src 'unsafe-inline'; img-src 'self' blob: data:; "
                 "frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    reply_header(out, "Referrer-Policy", "no-referrer");
}

void handle_admin_page(struct reply *out, struct request *req)
{
    admin_headers(out);
    serve_file(out, req, "admin.html", "text/html; charset=utf-8",
               "no-cache");
}

void handle_admin_js(struct reply *out, struct request *req)
{
    admin_headers(out);
    serve_file(out, req, "admin.js", "text/javascript; charset=utf-8",
               "no-cache");
}
