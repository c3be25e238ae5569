/* The widget, the embed page and the demo article, compiled into the
 * binary from web/ (scripts/embed). */
#include "api/handlers.h"
#include "core/campaign.h"
#include "core/embed.h"
#include "core/hex.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/* True if an Accept-Encoding value takes gzip (RFC 9110 12.5.3): the
 * coding named, or "*", with a q above 0. */
static bool takes_gzip(const char *ae)
{
    while (ae && *ae) {
        ae += strspn(ae, " \t,");
        size_t n = strcspn(ae, " \t;,");
        bool named = (n == 4 && strncasecmp(ae, "gzip", 4) == 0) ||
                     (n == 1 && ae[0] == '*');
        const char *end = ae + strcspn(ae, ",");
        const char *q = strstr(ae, "q=");
        bool zero = q && q < end && strtod(q + 2, NULL) <= 0.0;
        if (named && n > 0)
            return !zero;
        ae = end;
    }
    return false;
}

/* The widget's version: the first 16 hex digits of its bytes' BLAKE2b, the
 * name under which it is served for a year (/static/VERSION/widget.js). */
static bool widget_version(char out[17])
{
    const struct embedded_file *f = find("widget.js");
    if (f == NULL)
        return false;
    unsigned char h[16];
    crypto_generichash(h, sizeof h, f->data, f->len, NULL, 0);
    char hex[33];
    hex_encode(hex, h, sizeof h);
    memcpy(out, hex, 16);
    out[16] = '\0';
    return true;
}

/* The widget, precompressed for whoever takes gzip (Vary says so). */
static void serve_widget(struct reply *out, struct request *req,
                         const char *cache)
{
    reply_header(out, "Vary", "Accept-Encoding");
    reply_header(out, "X-Content-Type-Options", "nosniff");
    const struct embedded_file *gz = find("widget.js.gz");
    if (gz && takes_gzip(req->header(req, "Accept-Encoding"))) {
        reply_header(out, "Content-Encoding", "gzip");
        serve(out, req, "text/javascript; charset=utf-8", cache, gz->data,
              gz->len);
        return;
    }
    serve_file(out, req, "widget.js", "text/javascript; charset=utf-8",
               cache);
}

void handle_widget_js(struct reply *out, struct request *req)
{
    /* Short cache: embedders pick up fixes within minutes. */
    serve_widget(out, req, "public, max-age=300");
}

/* Our own pages load the widget by its version: cached for a year, and a
 * new build is a new address. Another version is not kept: 404. */
void handle_widget_versioned(struct reply *out, struct request *req)
{
    char v[17];
    if (!widget_version(v) || strcmp(req->params[0], v) != 0) {
        reply_not_found(out, "widget version");
        return;
    }
    serve_widget(out, req, "public, max-age=31536000, immutable");
}

/* The widget's words for one language (web/strings-LANG.json), which it
 * fetches only when a page asks for that language; cached like
 * /widget.js. The name is [a-z]{2,3}.json. */
void handle_widget_strings(struct reply *out, struct request *req)
{
    const char *p = req->params[0];
    size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz");
    if (n < 2 || n > 3 || strcmp(p + n, ".json") != 0) {
        reply_not_found(out, "language");
        return;
    }
    char name[REQUEST_PARAM_LEN + 16];
    snprintf(name, sizeof name, "strings-%s", p);
    if (find(name) == NULL) {
        reply_not_found(out, "language");
        return;
    }
    reply_header(out, "X-Content-Type-Options", "nosniff");
    serve_file(out, req, name, "application/json; charset=utf-8",
               "public, max-age=300");
}

void handle_verify_js(struct reply *out, struct request *req)
{
    /* Loaded by the widget when a donor asks to verify a gift. */
    serve_file(out, req, "verify.js", "text/javascript; charset=utf-8",
               "public, max-age=300");
}

/* Copies page into b with every {{NAME}} of names replaced by its value
 * (names and values in pairs; a value must need no HTML escaping). */
static void fill(struct buf *b, const char *page, const char *const *kv,
                 size_t n)
{
    while (*page) {
        const char *open = strstr(page, "{{");
        if (open == NULL)
            break;
        buf_append(b, page, (size_t)(open - page));
        page = open + 2;
        bool done = false;
        for (size_t i = 0; i + 1 < n && !done; i += 2) {
            size_t len = strlen(kv[i]);
            if (strncmp(page, kv[i], len) == 0 &&
                strncmp(page + len, "}}", 2) == 0) {
                buf_puts(b, kv[i + 1]);
                page += len + 2;
                done = true;
            }
        }
        if (!done)
            buf_puts(b, "{{");
    }
    buf_puts(b, page);
}

static void widget_src(char out[48])
{
    char v[17];
    if (widget_version(v))
        snprintf(out, 48, "/static/%s/widget.js", v);
    else
        snprintf(out, 48, "/widget.js");
}

/* A locale asked for with ?locale= : a BCP 47 tag's letters, digits and
 * hyphens (at most 35), or "" for none. */
static void locale_param(char out[36], const struct request *req)
{
    const char *l = req->query(req, "locale");
    out[0] = '\0';
    if (l == NULL || l[0] == '\0' || strlen(l) > 35)
        return;
    for (const char *p = l; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '-'))
            return;
    snprintf(out, 36, "%s", l);
}

void handle_index(struct reply *out, struct request *req)
{
    page_csp(out, req, "'none'");
    reply_header(out, "Referrer-Policy", "no-referrer");
    const struct embedded_file *f = find("index.html");
    if (f == NULL) {
        reply_not_found(out, "file");
        return;
    }
    char src[48];
    widget_src(src);
    const char *kv[] = {"WIDGET", src};
    struct buf page;
    buf_init(&page);
    fill(&page, (const char *)f->data, kv, 2);
    serve(out, req, "text/html; charset=utf-8", "no-cache", page.data,
          page.len);
    buf_release(&page);
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
    /* The id is [a-z0-9-] only and the locale [A-Za-z0-9-] only, so
     * neither needs escaping in HTML. */
    char src[48], locale[36];
    widget_src(src);
    locale_param(locale, req);
    const char *kv[] = {"CAMPAIGN", id,
                        "WIDGET",   src,
                        "LOCALE",   locale,
                        "LANG",     locale[0] ? locale : "en"};
    struct buf page;
    buf_init(&page);
    fill(&page, (const char *)f->data, kv, 8);
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

/* The dashboard's other scripts: /admin/NAME.js is web/admin-NAME.js
 * (NAME: lower-case letters). */
void handle_admin_asset(struct reply *out, struct request *req)
{
    const char *p = req->params[0];
    size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz");
    char name[REQUEST_PARAM_LEN + 16];
    snprintf(name, sizeof name, "admin-%s", p);
    if (n == 0 || strcmp(p + n, ".js") != 0 || find(name) == NULL) {
        reply_not_found(out, "file");
        return;
    }
    admin_headers(out);
    serve_file(out, req, name, "text/javascript; charset=utf-8", "no-cache");
}
