#include "provider/webhook_http.h"

#include "core/utf8.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void curl_init(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_ALL);
}

static const char *v4_refused(const unsigned char *a)
{
    if (a[0] == 0)
        return "unspecified";
    if (a[0] == 127)
        return "loopback";
    if (a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
        (a[0] == 192 && a[1] == 168))
        return "private";
    if (a[0] == 169 && a[1] == 254)
        return "link-local";
    if (a[0] == 100 && (a[1] & 0xc0) == 64)
        return "shared address space";
    if (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255)
        return "broadcast";
    if (a[0] >= 224 && a[0] <= 239)
        return "multicast";
    if (a[0] >= 240)
        return "reserved";
    return NULL;
}

const char *webhook_address_refused(const unsigned char *a, size_t len,
                                    const struct cidr_list *allow)
{
    static const unsigned char zero[16], mapped[12] = {[10] = 0xff,
                                                       [11] = 0xff},
                                         nat64[12] = {0x00, 0x64, 0xff, 0x9b};
    if (cidr_list_contains(allow, a, len))
        return NULL;
    if (len == 4)
        return v4_refused(a);
    if (len != 16)
        return "not an IP address";
    if (memcmp(a, zero, 16) == 0)
        return "unspecified";
    if (memcmp(a, zero, 15) == 0 && a[15] == 1)
        return "loopback";
    /* IPv6 addresses that reach an IPv4 one: mapped (the kernel connects
     * to the IPv4 address), NAT64's well-known prefix, 6to4, and the
     * deprecated IPv4-compatible form. */
    if (memcmp(a, mapped, 12) == 0 || memcmp(a, nat64, 12) == 0)
        return v4_refused(a + 12);
    if (a[0] == 0x20 && a[1] == 0x02)
        return v4_refused(a + 2);
    if (memcmp(a, zero, 12) == 0)
        return "reserved";
    if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
        return "link-local";
    if ((a[0] & 0xfe) == 0xfc || (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0))
        return "private";
    if (a[0] == 0xff)
        return "multicast";
    return NULL;
}

struct exchange {
    const struct cidr_list *allow;
    bool refused;              /* an address was refused */
    char refusal[WEBHOOK_ERROR_MAX];
    size_t read;               /* bytes of the answer read */
    unsigned char head[WEBHOOK_EXCERPT_MAX];
    size_t head_len;
};

/* Every socket curl opens for a connection comes from here: the address
 * it will connect to is checked first. A refused address is not opened;
 * curl then tries the name's next address, if any (each checked). */
static curl_socket_t open_guarded(void *ctx, curlsocktype purpose,
                                  struct curl_sockaddr *sa)
{
    struct exchange *x = ctx;
    unsigned char addr[16];
    size_t len = 0;
    char text[WEBHOOK_ADDR_MAX] = "?";
    /* curl's struct holds a struct sockaddr but allocates room for the
     * whole address (sockaddr_in6 included): read it as bytes. */
    const unsigned char *raw =
        (const unsigned char *)sa + offsetof(struct curl_sockaddr, addr);
    if (purpose == CURLSOCKTYPE_IPCXN && sa->family == AF_INET &&
        sa->addrlen >= sizeof(struct sockaddr_in)) {
        memcpy(addr, raw + offsetof(struct sockaddr_in, sin_addr), 4);
        len = 4;
        inet_ntop(AF_INET, addr, text, sizeof text);
    } else if (purpose == CURLSOCKTYPE_IPCXN && sa->family == AF_INET6 &&
               sa->addrlen >= sizeof(struct sockaddr_in6)) {
        memcpy(addr, raw + offsetof(struct sockaddr_in6, sin6_addr), 16);
        len = 16;
        inet_ntop(AF_INET6, addr, text, sizeof text);
    }
    const char *why =
        len ? webhook_address_refused(addr, len, x->allow) : "not IP";
    if (why) {
        if (!x->refused)
            snprintf(x->refusal, sizeof x->refusal,
                     "refused address %s (%s); allow it with "
                     "PLEDGED_WEBHOOK_ALLOW",
                     text, why);
        x->refused = true;
        return CURL_SOCKET_BAD;
    }
    return socket(sa->family, sa->socktype | SOCK_CLOEXEC, sa->protocol);
}

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
    struct exchange *x = ctx;
    (void)size; /* always 1 */
    if (x->head_len < sizeof x->head) {
        size_t k = sizeof x->head - x->head_len;
        k = k < n ? k : n;
        memcpy(x->head + x->head_len, p, k);
        x->head_len += k;
    }
    x->read += n;
    /* Enough read: the rest is not our business, and a receiver that
     * streams forever must not hold a delivery thread. */
    return x->read >= WEBHOOK_READ_MAX ? 0 : n;
}

/* The answer's first bytes as text a column and a page can hold. */
static void excerpt(char *out, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (char)(p[i] < 0x20 || p[i] == 0x7f ? ' ' : p[i]);
    out[n] = '\0';
    /* Cut inside a character: back off up to 3 bytes to its start. */
    for (size_t cut = 0; cut < 4 && cut <= n; cut++)
        if (utf8_valid(out, n - cut, NULL)) {
            out[n - cut] = '\0';
            return;
        }
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)out[i] >= 0x80)
            out[i] = '?';
}

/* A header value we send: printable ASCII (blanks between signatures). */
static int header_ok(const char *v, const char *field, struct fault *f)
{
    size_t n = v ? strlen(v) : 0;
    bool ok = n > 0;
    for (size_t i = 0; ok && i < n; i++)
        ok = v[i] >= ' ' && v[i] <= '~';
    return ok ? 0 : fault_set(f, FAULT_INVALID, field, "not a header value");
}

/* http:// or https://, by curl's own parser (the one that will connect). */
static int url_ok(const char *url, struct fault *f)
{
    size_t n = url ? strlen(url) : 0;
    bool ok = n > 0 && n <= WEBHOOK_URL_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = url[i] > ' ' && url[i] <= '~';
    CURLU *u = ok ? curl_url() : NULL;
    char *scheme = NULL, *host = NULL;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
        ok = host[0] && (strcasecmp(scheme, "http") == 0 ||
                         strcasecmp(scheme, "https") == 0);
    else
        ok = false;
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return ok ? 0
              : fault_set(f, FAULT_INVALID, "url",
                          "not an http:// or https:// URL of at most %d "
                          "characters",
                          WEBHOOK_URL_MAX);
}

static long since_ms(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (long)(t1.tv_sec - t0->tv_sec) * 1000 +
           (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

static struct curl_slist *add(struct curl_slist *l, bool *failed,
                              const char *name, const char *value)
{
    char line[WEBHOOK_SIGNATURE_MAX + 64];
    snprintf(line, sizeof line, "%s: %s", name, value);
    struct curl_slist *n = curl_slist_append(l, line);
    *failed |= n == NULL;
    return n ? n : l;
}

/* Says what happened, in *out and, when not delivered, in f. */
static int outcome(struct webhook_answer *out, CURLcode rc,
                   const struct exchange *x, long timeout_ms, struct fault *f)
{
    long s = out->status;
    if (x->refused && s == 0) {
        out->refused = true;
        snprintf(out->error, sizeof out->error, "%s", x->refusal);
        return fault_set(f, FAULT_INVALID, "url", "%s", x->refusal);
    }
    if (rc == CURLE_OUT_OF_MEMORY)
        return fault_set(f, FAULT_NOMEM, NULL, "out of memory");
    if (s >= 200 && s <= 299) {
        out->delivered = true;
        return 0;
    }
    if (s >= 300 && s <= 399)
        snprintf(out->error, sizeof out->error,
                 "HTTP %ld (redirects are not followed)", s);
    else if (s != 0)
        snprintf(out->error, sizeof out->error, "HTTP %ld", s);
    else if (rc == CURLE_OPERATION_TIMEDOUT) {
        out->timed_out = true;
        snprintf(out->error, sizeof out->error, "timed out after %ld ms",
                 out->elapsed_ms < timeout_ms ? out->elapsed_ms : timeout_ms);
    } else
        snprintf(out->error, sizeof out->error, "no answer: %s",
                 curl_easy_strerror(rc));
    return fault_set(f, FAULT_PROVIDER, NULL, "webhook not delivered: %s",
                     out->error);
}

int webhook_post(struct webhook_answer *out, const struct webhook_request *req,
                 struct fault *f)
{
    struct exchange x = {.allow = req->allow};
    struct curl_slist *headers = NULL;
    bool failed = false;
    CURLcode rc = CURLE_OUT_OF_MEMORY;
    CURL *c = NULL;
    int ret;
    long connect_ms = req->connect_timeout_ms > 0 ? req->connect_timeout_ms
                                                  : WEBHOOK_CONNECT_TIMEOUT_MS;
    long timeout_ms =
        req->timeout_ms > 0 ? req->timeout_ms : WEBHOOK_TIMEOUT_MS;
    const struct webhook_headers *h = req->headers;
    struct timespec t0;

    memset(out, 0, sizeof *out);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_once(&curl_once, curl_init);
    if (curl_init_rc != CURLE_OK)
        return fault_set(f, FAULT_INTERNAL, NULL, "libcurl: %s",
                         curl_easy_strerror(curl_init_rc));
    if ((ret = url_ok(req->url, f)) != 0 || h == NULL ||
        (ret = webhook_id_check(h->id, f)) != 0 ||
        (ret = header_ok(h->timestamp, "webhook-timestamp", f)) != 0 ||
        (ret = header_ok(h->signature, "webhook-signature", f)) != 0)
        return ret ? ret : fault_set(f, FAULT_INTERNAL, NULL, "no headers");

    headers = add(headers, &failed, "Content-Type", "application/json");
    headers = add(headers, &failed, "webhook-id", h->id);
    headers = add(headers, &failed, "webhook-timestamp", h->timestamp);
    headers = add(headers, &failed, "webhook-signature", h->signature);
    /* No "Expect: 100-continue" (curl's default above 1 KiB): a receiver
     * that does not answer it would cost a second per delivery. */
    headers = add(headers, &failed, "Expect", "");
    if (failed || (c = curl_easy_init()) == NULL)
        goto done;
    curl_easy_setopt(c, CURLOPT_URL, req->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_PROXY, ""); /* none, not even from env */
    curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_guarded);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &x);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "pledged-webhooks/1");
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->len);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? req->body : "");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
    rc = curl_easy_perform(c);
    /* A write error after WEBHOOK_READ_MAX bytes still has its status. */
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    char *ip = NULL;
    if (curl_easy_getinfo(c, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip)
        snprintf(out->address, sizeof out->address, "%s", ip);
done:
    out->elapsed_ms = since_ms(&t0);
    excerpt(out->excerpt, x.head, x.head_len);
    ret = outcome(out, rc, &x, timeout_ms, f);
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    return ret;
}
