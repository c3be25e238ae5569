/* One webhook delivery (provider/webhook_http.c) against a real HTTP
 * receiver: a thread of the test with plain sockets on a loopback port,
 * which keeps the request it got and answers a canned response (after a
 * delay, if asked). Loopback is what the SSRF guard refuses by default, so
 * deliveries that must arrive allow 127.0.0.1/32, as PLEDGED_WEBHOOK_ALLOW
 * would; the refusals are checked with the receiver listening, and it must
 * see no connection at all. */
#include "provider/webhook_http.h"
#include "tests/suites.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define REQUEST_MAX (256 * 1024)

struct receiver {
    int fd;
    unsigned port;
    const char *answer; /* the whole HTTP response, sent as is */
    size_t answer_len;  /* 0: strlen(answer) */
    long delay_ms;      /* before answering */
    int max_conns;
    atomic_bool stop;
    pthread_t thread;
    /* What arrived: connections, and the first request's bytes. */
    int conns;
    char *request;
    size_t request_len;
};

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000,
                          .tv_nsec = (ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* Reads one request: the head, then Content-Length bytes of body. */
static size_t read_request(int c, char *buf, size_t cap)
{
    size_t len = 0;
    for (;;) {
        struct pollfd p = {.fd = c, .events = POLLIN};
        if (len == cap || poll(&p, 1, 3000) != 1)
            return len;
        ssize_t n = recv(c, buf + len, cap - len, 0);
        if (n <= 0)
            return len;
        len += (size_t)n;
        buf[len] = '\0';
        char *end = strstr(buf, "\r\n\r\n");
        if (end == NULL)
            continue;
        const char *cl = strstr(buf, "\r\nContent-Length:");
        size_t body = cl ? (size_t)strtoul(cl + 17, NULL, 10) : 0;
        if (len >= (size_t)(end + 4 - buf) + body)
            return len;
    }
}

static void *serve(void *arg)
{
    struct receiver *r = arg;
    while (!atomic_load(&r->stop) && r->conns < r->max_conns) {
        struct pollfd p = {.fd = r->fd, .events = POLLIN};
        if (poll(&p, 1, 20) != 1)
            continue;
        int c = accept(r->fd, NULL, NULL);
        if (c < 0)
            continue;
        char *buf = malloc(REQUEST_MAX + 1);
        size_t n = read_request(c, buf, REQUEST_MAX);
        if (r->conns++ == 0) {
            r->request = buf;
            r->request_len = n;
        } else {
            free(buf);
        }
        if (r->delay_ms)
            sleep_ms(r->delay_ms);
        size_t len = r->answer_len ? r->answer_len : strlen(r->answer);
        for (size_t sent = 0; sent < len;) {
            ssize_t k = send(c, r->answer + sent, len - sent, MSG_NOSIGNAL);
            if (k <= 0)
                break; /* the client has had enough */
            sent += (size_t)k;
        }
        close(c);
    }
    return NULL;
}

/* Listens on a free loopback port (r->port) without serving yet. */
static void receiver_listen(struct receiver *r)
{
    r->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    ck_assert_int_eq(bind(r->fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(listen(r->fd, 8), 0);
    ck_assert_int_eq(getsockname(r->fd, (struct sockaddr *)&a, &alen), 0);
    r->port = ntohs(a.sin_port);
}

/* Serves answer to up to r->max_conns (1) connections, in a thread. */
static void receiver_serve(struct receiver *r, const char *answer)
{
    r->answer = answer;
    if (r->max_conns == 0)
        r->max_conns = 1;
    atomic_init(&r->stop, false);
    ck_assert_int_eq(pthread_create(&r->thread, NULL, serve, r), 0);
}

static void receiver_start(struct receiver *r, const char *answer)
{
    receiver_listen(r);
    receiver_serve(r, answer);
}

static void receiver_stop(struct receiver *r)
{
    atomic_store(&r->stop, true);
    pthread_join(r->thread, NULL);
    close(r->fd);
}

/* The value of header name in the received request, or NULL. */
static char *header_of(const struct receiver *r, const char *name, char *out,
                       size_t cap)
{
    char key[80];
    snprintf(key, sizeof key, "\r\n%s:", name);
    const char *p = r->request ? strstr(r->request, key) : NULL;
    if (p == NULL)
        return NULL;
    p += strlen(key);
    while (*p == ' ')
        p++;
    size_t n = strcspn(p, "\r\n");
    snprintf(out, cap, "%.*s", (int)n, p);
    return out;
}

static struct cidr_list loopback_allowed;
static struct webhook_headers headers;

static void setup(void)
{
    ck_assert_int_eq(cidr_list_parse(&loopback_allowed, "127.0.0.1/32", NULL),
                     0);
    unsigned char key[32];
    randombytes_buf(key, sizeof key);
    struct signer *k = signer_generate(NULL);
    ck_assert_int_eq(webhook_headers_make(&headers, key, sizeof key, k,
                                          "msg_2Lk7S3vQ", 1700000000, "{}", 2,
                                          NULL),
                     0);
    signer_free(k);
}

static int post(struct webhook_answer *out, const char *url,
                const struct cidr_list *allow, long timeout_ms,
                struct fault *f)
{
    static const char body[] = "{\"type\":\"pledge.created\"}";
    struct webhook_request req = {.url = url,
                                  .body = body,
                                  .len = sizeof body - 1,
                                  .headers = &headers,
                                  .timeout_ms = timeout_ms,
                                  .allow = allow};
    return webhook_post(out, &req, f);
}

static const char ok_answer[] =
    "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n";

/* The receiver checks what arrived: method, path, every header as made by
 * core/webhook_sig, the body byte for byte (UTF-8 included). */
START_TEST(delivered_with_the_headers_as_sent)
{
    struct receiver r = {0};
    receiver_start(&r, ok_answer);
    char url[80], v[200];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/hooks/crm?x=1", r.port);
    static const char body[] =
        "{\"title\":\"Caf\xc3\xa9 \xf0\x9f\x93\xb0\",\"amount_minor\":2500}";
    struct webhook_request req = {.url = url,
                                  .body = body,
                                  .len = sizeof body - 1,
                                  .headers = &headers,
                                  .allow = &loopback_allowed};
    struct webhook_answer a;
    struct fault f = {0};
    ck_assert_int_eq(webhook_post(&a, &req, &f), 0);
    receiver_stop(&r);
    ck_assert(a.delivered);
    ck_assert_int_eq(a.status, 204);
    ck_assert_str_eq(a.error, "");
    ck_assert_str_eq(a.address, "127.0.0.1");
    ck_assert_int_ge(a.elapsed_ms, 0);
    ck_assert_int_eq(r.conns, 1);
    ck_assert_int_eq(strncmp(r.request, "POST /hooks/crm?x=1 HTTP/1.1\r\n", 30),
                     0);
    ck_assert_str_eq(header_of(&r, "webhook-id", v, sizeof v), headers.id);
    ck_assert_str_eq(header_of(&r, "webhook-timestamp", v, sizeof v),
                     headers.timestamp);
    ck_assert_str_eq(header_of(&r, "webhook-signature", v, sizeof v),
                     headers.signature);
    ck_assert_ptr_nonnull(strstr(headers.signature, " v1a,"));
    ck_assert_str_eq(header_of(&r, "Content-Type", v, sizeof v),
                     "application/json");
    ck_assert_str_eq(header_of(&r, "User-Agent", v, sizeof v),
                     "pledged-webhooks/1");
    ck_assert_ptr_null(header_of(&r, "Expect", v, sizeof v));
    const char *got = strstr(r.request, "\r\n\r\n") + 4;
    ck_assert_uint_eq(r.request_len - (size_t)(got - r.request),
                      sizeof body - 1);
    ck_assert_mem_eq(got, body, sizeof body - 1);
    free(r.request);
}
END_TEST

/* A 500: not delivered, its status and the first 200 bytes of its body
 * kept as text (CRLF as blanks, cut before a split character). */
START_TEST(server_error_is_not_delivered_and_its_excerpt_is_kept)
{
    char answer[600], body[300];
    int n = snprintf(body, sizeof body, "Internal\r\nError ");
    memset(body + n, 'x', 183);
    memcpy(body + n + 183, "\xc3\xa9 and more after", 18);
    snprintf(answer, sizeof answer,
             "HTTP/1.1 500 Oops\r\nContent-Length: %zu\r\n\r\n%s",
             strlen(body), body);
    struct receiver r = {0};
    receiver_start(&r, answer);
    char url[80];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/", r.port);
    struct webhook_answer a;
    struct fault f = {0};
    ck_assert_int_eq(post(&a, url, &loopback_allowed, 0, &f), FAULT_PROVIDER);
    receiver_stop(&r);
    free(r.request);
    ck_assert(!a.delivered && !a.timed_out && !a.refused);
    ck_assert_int_eq(a.status, 500);
    ck_assert_str_eq(a.error, "HTTP 500");
    ck_assert_ptr_nonnull(strstr(f.message, "HTTP 500"));
    ck_assert_uint_eq(strlen(a.excerpt), 199); /* the é is cut off whole */
    ck_assert_int_eq(strncmp(a.excerpt, "Internal  Error xxx", 19), 0);
}
END_TEST

/* A 301 to another path of the same receiver: not followed (one
 * connection only), and a failure. */
START_TEST(redirect_is_not_followed)
{
    char answer[200];
    struct receiver r = {.max_conns = 2};
    receiver_listen(&r);
    snprintf(answer, sizeof answer,
             "HTTP/1.1 301 Moved\r\nLocation: http://127.0.0.1:%u/other\r\n"
             "Content-Length: 0\r\n\r\n",
             r.port);
    receiver_serve(&r, answer);
    char url[80];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/", r.port);
    struct webhook_answer a;
    struct fault f = {0};
    ck_assert_int_eq(post(&a, url, &loopback_allowed, 0, &f), FAULT_PROVIDER);
    sleep_ms(200); /* room for a second connection, if one were coming */
    receiver_stop(&r);
    free(r.request);
    ck_assert_int_eq(r.conns, 1);
    ck_assert(!a.delivered);
    ck_assert_int_eq(a.status, 301);
    ck_assert_str_eq(a.error, "HTTP 301 (redirects are not followed)");
}
END_TEST

/* A receiver slower than the timeout: a timeout, at about the timeout. */
START_TEST(slow_receiver_times_out)
{
    struct receiver r = {.delay_ms = 1500};
    receiver_start(&r, ok_answer);
    char url[80];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/", r.port);
    struct webhook_answer a;
    struct fault f = {0};
    ck_assert_int_eq(post(&a, url, &loopback_allowed, 300, &f), FAULT_PROVIDER);
    receiver_stop(&r);
    free(r.request);
    ck_assert(a.timed_out && !a.delivered);
    ck_assert_int_eq(a.status, 0);
    ck_assert_str_eq(a.error, "timed out after 300 ms");
    ck_assert_msg(a.elapsed_ms >= 300 && a.elapsed_ms < 1400, "took %ld ms",
                  a.elapsed_ms);
}
END_TEST

/* An answer far over 4 KiB: read up to the cap, the rest left unread, the
 * status kept; bytes that are not UTF-8 shown as '?'. */
START_TEST(long_answer_is_read_only_up_to_the_cap)
{
    size_t body = 256 * 1024;
    char *answer = malloc(body + 100);
    int n = snprintf(answer, 100, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n",
                     body);
    memset(answer + n, 'a', body);
    answer[n] = '\xff';
    struct receiver r = {.answer_len = (size_t)n + body};
    receiver_start(&r, answer);
    char url[80];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/", r.port);
    struct webhook_answer a;
    struct fault f = {0};
    ck_assert_int_eq(post(&a, url, &loopback_allowed, 0, &f), 0);
    receiver_stop(&r);
    free(r.request);
    free(answer);
    ck_assert(a.delivered);
    ck_assert_int_eq(a.status, 200);
    ck_assert_uint_eq(strlen(a.excerpt), WEBHOOK_EXCERPT_MAX);
    ck_assert_int_eq(strncmp(a.excerpt, "?aaa", 4), 0);
}
END_TEST

/* Loopback, by address or by a name that resolves to it, is refused
 * without an allow-list, and nothing reaches the receiver; with
 * 127.0.0.1/32 (or 127/8 for the name) it is delivered. */
START_TEST(loopback_is_refused_unless_allowed)
{
    struct receiver r = {.max_conns = 2};
    receiver_start(&r, ok_answer);
    char ip[80], name[80];
    snprintf(ip, sizeof ip, "http://127.0.0.1:%u/", r.port);
    snprintf(name, sizeof name, "http://localhost:%u/", r.port);
    const char *urls[] = {ip, name};
    struct cidr_list other;
    ck_assert_int_eq(cidr_list_parse(&other, "127.0.0.2/32 ::1", NULL), 0);
    for (size_t i = 0; i < 2; i++) {
        const struct cidr_list *lists[] = {NULL, &other};
        for (size_t l = 0; l < 2; l++) {
            struct webhook_answer a;
            struct fault f = {0};
            ck_assert_int_eq(post(&a, urls[i], lists[l], 0, &f),
                             FAULT_INVALID);
            ck_assert_str_eq(f.field, "url");
            ck_assert_str_eq(f.message,
                             "refused address 127.0.0.1 (loopback); allow it "
                             "with PLEDGED_WEBHOOK_ALLOW");
            ck_assert(a.refused && !a.delivered);
            ck_assert_int_eq(a.status, 0);
            ck_assert_str_eq(a.error, f.message);
        }
    }
    sleep_ms(100);
    ck_assert_int_eq(r.conns, 0);
    struct cidr_list loopback8;
    ck_assert_int_eq(cidr_list_parse(&loopback8, "127.0.0.0/8", NULL), 0);
    struct webhook_answer a;
    ck_assert_int_eq(post(&a, ip, &loopback_allowed, 0, NULL), 0);
    ck_assert_int_eq(post(&a, name, &loopback8, 0, NULL), 0);
    ck_assert(a.delivered);
    receiver_stop(&r);
    free(r.request);
    ck_assert_int_eq(r.conns, 2);
}
END_TEST

/* Other inside addresses, refused before any connection (so no network is
 * needed to see it), IPv6 and IPv4-mapped forms included. */
START_TEST(inside_addresses_are_refused_at_connect)
{
    static const struct {
        const char *url, *address, *why;
    } cases[] = {
        {"http://169.254.169.254/latest/meta-data/", "169.254.169.254",
         "link-local"},
        {"https://10.1.2.3/", "10.1.2.3", "private"},
        {"http://192.168.1.1:8080/", "192.168.1.1", "private"},
        {"http://172.16.0.1/", "172.16.0.1", "private"},
        {"http://100.64.0.1/", "100.64.0.1", "shared address space"},
        {"http://0.0.0.0:1/", "0.0.0.0", "unspecified"},
        {"http://[::1]:1/", "::1", "loopback"},
        {"http://[::ffff:127.0.0.1]:1/", "::ffff:127.0.0.1", "loopback"},
        {"http://[fd00::1]/", "fd00::1", "private"},
        {"http://2130706433/", "127.0.0.1", "loopback"}, /* 127.0.0.1 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct webhook_answer a;
        struct fault f = {0};
        char want[200];
        snprintf(want, sizeof want,
                 "refused address %s (%s); allow it with "
                 "PLEDGED_WEBHOOK_ALLOW",
                 cases[i].address, cases[i].why);
        int rc = post(&a, cases[i].url, NULL, 2000, &f);
        ck_assert_msg(rc == FAULT_INVALID && strcmp(f.message, want) == 0,
                      "%s: %d %s", cases[i].url, rc, f.message);
        ck_assert(a.refused);
    }
}
END_TEST

/* Not http(s): refused before anything is resolved or sent. */
START_TEST(other_schemes_and_malformed_urls_are_refused)
{
    static const char *const urls[] = {
        "ftp://example.org/x", "file:///etc/passwd", "gopher://example.org/",
        "dict://127.0.0.1:6379/info", "example.org/hook", "http://",
        "http://exa mple.org/", "http://example.org/\r\nX: y", "", NULL};
    for (size_t i = 0; i < sizeof urls / sizeof *urls; i++) {
        struct webhook_answer a;
        struct fault f = {0};
        ck_assert_msg(post(&a, urls[i], &loopback_allowed, 0, &f) ==
                          FAULT_INVALID,
                      "%s", urls[i] ? urls[i] : "NULL");
        ck_assert_str_eq(f.field, "url");
        ck_assert(!a.delivered && a.status == 0);
    }
    /* A header value with CR LF in it is never sent. */
    struct webhook_headers bad = headers;
    snprintf(bad.signature, sizeof bad.signature, "v1,x\r\nX-Evil: 1");
    struct webhook_request req = {.url = "http://127.0.0.1:9/",
                                  .headers = &bad,
                                  .allow = &loopback_allowed};
    struct webhook_answer a;
    struct fault f = {0};
    ck_assert_int_eq(webhook_post(&a, &req, &f), FAULT_INVALID);
    ck_assert_str_eq(f.field, "webhook-signature");
}
END_TEST

/* The guard's verdict, address by address: every range and its edges. */
START_TEST(address_verdicts)
{
    static const struct {
        const char *addr, *why; /* why NULL: allowed */
    } cases[] = {
        {"127.0.0.1", "loopback"},        {"127.255.255.254", "loopback"},
        {"10.0.0.1", "private"},          {"10.255.255.255", "private"},
        {"172.15.255.255", NULL},         {"172.16.0.0", "private"},
        {"172.31.255.255", "private"},    {"172.32.0.0", NULL},
        {"192.168.0.1", "private"},       {"192.169.0.1", NULL},
        {"169.254.169.254", "link-local"}, {"169.255.0.1", NULL},
        {"100.63.255.255", NULL},         {"100.64.0.0", "shared address space"},
        {"100.127.255.255", "shared address space"},
        {"100.128.0.0", NULL},            {"0.0.0.0", "unspecified"},
        {"0.1.2.3", "unspecified"},       {"224.0.0.1", "multicast"},
        {"239.255.255.255", "multicast"}, {"240.0.0.1", "reserved"},
        {"255.255.255.255", "broadcast"}, {"8.8.8.8", NULL},
        {"93.184.216.34", NULL},          {"::", "unspecified"},
        {"::1", "loopback"},              {"::ffff:127.0.0.1", "loopback"},
        {"::ffff:10.0.0.1", "private"},   {"::ffff:8.8.8.8", NULL},
        {"64:ff9b::a9fe:a9fe", "link-local"}, {"64:ff9b::808:808", NULL},
        {"2002:c0a8:0101::1", "private"}, {"2002:0808:0808::1", NULL},
        {"::10.0.0.1", "reserved"},       {"fe80::1", "link-local"},
        {"febf::1", "link-local"},        {"fec0::1", "private"},
        {"fc00::1", "private"},           {"fdff::1", "private"},
        {"ff02::1", "multicast"},         {"2606:4700::1111", NULL},
        {"2001:db8::1", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        unsigned char a[16];
        /* cidr_addr_parse reduces a mapped address to IPv4: the guard
         * gets both forms, so both are checked. */
        size_t len = inet_pton(AF_INET, cases[i].addr, a) == 1 ? 4 : 16;
        if (len == 16)
            ck_assert_int_eq(inet_pton(AF_INET6, cases[i].addr, a), 1);
        const char *why = webhook_address_refused(a, len, NULL);
        ck_assert_msg((why == NULL) == (cases[i].why == NULL) &&
                          (why == NULL || strcmp(why, cases[i].why) == 0),
                      "%s: %s, expected %s", cases[i].addr,
                      why ? why : "allowed",
                      cases[i].why ? cases[i].why : "allowed");
    }
    /* The allow-list wins, mapped addresses matching their IPv4 range. */
    struct cidr_list l;
    ck_assert_int_eq(cidr_list_parse(&l, "10.0.0.0/8, fd00::/8", NULL), 0);
    unsigned char a[16];
    inet_pton(AF_INET6, "::ffff:10.9.8.7", a);
    ck_assert_ptr_null(webhook_address_refused(a, 16, &l));
    inet_pton(AF_INET6, "fd12::1", a);
    ck_assert_ptr_null(webhook_address_refused(a, 16, &l));
    inet_pton(AF_INET6, "fc12::1", a);
    ck_assert_str_eq(webhook_address_refused(a, 16, &l), "private");
    inet_pton(AF_INET, "192.168.1.1", a);
    ck_assert_str_eq(webhook_address_refused(a, 4, &l), "private");
}
END_TEST

Suite *webhook_http_suite(void)
{
    Suite *s = suite_create("webhook_http");
    TCase *tc = tcase_create("webhook_http");
    tcase_set_timeout(tc, 30);
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, delivered_with_the_headers_as_sent);
    tcase_add_test(tc, server_error_is_not_delivered_and_its_excerpt_is_kept);
    tcase_add_test(tc, redirect_is_not_followed);
    tcase_add_test(tc, slow_receiver_times_out);
    tcase_add_test(tc, long_answer_is_read_only_up_to_the_cap);
    tcase_add_test(tc, loopback_is_refused_unless_allowed);
    tcase_add_test(tc, inside_addresses_are_refused_at_connect);
    tcase_add_test(tc, other_schemes_and_malformed_urls_are_refused);
    tcase_add_test(tc, address_verdicts);
    suite_add_tcase(s, tc);
    return s;
}
