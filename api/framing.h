#ifndef PLEDGED_FRAMING_H
#define PLEDGED_FRAMING_H
/*
 * The HTTP framing policy (RFC 9112 sections 3.2 and 6), checked on what
 * the transport parsed before any body is read. Pure: no I/O and no
 * libmicrohttpd, so that a fuzzer can drive it.
 *
 * A request is refused, and its connection closed, when its length is
 * ambiguous: Content-Length together with Transfer-Encoding, more than one
 * Content-Length (even with equal values), a Content-Length that is not
 * 1 to 19 digits, or a Transfer-Encoding other than exactly one
 * "chunked" (HTTP/1.1 only). HTTP/1.1 needs exactly one Host. A request
 * line over FRAMING_URI_MAX bytes or with over FRAMING_QUERY_MAX query
 * parameters gets 414; over FRAMING_FIELDS_MAX header fields or
 * FRAMING_HEADER_BYTES of them, 431.
 */
#include <stdbool.h>
#include <stddef.h>

#define FRAMING_URI_MAX 4096
#define FRAMING_QUERY_MAX 64
#define FRAMING_FIELDS_MAX 64
#define FRAMING_HEADER_BYTES 16384

struct framing {
    size_t fields, bytes;
    unsigned content_lengths, transfer_encodings, hosts;
    bool bad_length;   /* a Content-Length that is not 1..19 digits */
    bool bad_encoding; /* a Transfer-Encoding other than "chunked" */
};

/* What is wrong with a request, if anything: status 0 when nothing. The
 * strings are static. */
struct framing_verdict {
    unsigned status; /* 0, 400, 414 or 431 */
    const char *code;
    const char *message;
};

void framing_init(struct framing *fr);

/* Takes one header field as received (name and value need no NUL). */
void framing_field(struct framing *fr, const char *name, size_t name_len,
                   const char *value, size_t value_len);

/* The verdict on the fields taken so far, for this protocol version
 * ("HTTP/1.1"; NULL counts as HTTP/1.0). */
struct framing_verdict framing_verdict(const struct framing *fr,
                                       const char *version);

/* The verdict on a request target as received, query included. */
struct framing_verdict framing_uri(const char *uri, size_t len);

#endif
