#include "api/framing.h"

#include <string.h>
#include <strings.h>

void framing_init(struct framing *fr) { memset(fr, 0, sizeof *fr); }

static bool is_name(const char *name, size_t len, const char *want)
{
    return len == strlen(want) && strncasecmp(name, want, len) == 0;
}

/* value without the optional whitespace around it */
static void trim(const char **v, size_t *len)
{
    while (*len && (**v == ' ' || **v == '\t'))
        (*v)++, (*len)--;
    while (*len && ((*v)[*len - 1] == ' ' || (*v)[*len - 1] == '\t'))
        (*len)--;
}

void framing_field(struct framing *fr, const char *name, size_t name_len,
                   const char *value, size_t value_len)
{
    fr->fields++;
    fr->bytes += name_len + value_len + 4; /* ": " and CRLF */
    if (name == NULL)
        return;
    if (value == NULL)
        value_len = 0, value = "";
    trim(&value, &value_len);
    if (is_name(name, name_len, "Content-Length")) {
        fr->content_lengths++;
        bool digits = value_len >= 1 && value_len <= 19;
        for (size_t i = 0; digits && i < value_len; i++)
            digits = value[i] >= '0' && value[i] <= '9';
        if (!digits)
            fr->bad_length = true;
    } else if (is_name(name, name_len, "Transfer-Encoding")) {
        fr->transfer_encodings++;
        if (!is_name(value, value_len, "chunked"))
            fr->bad_encoding = true;
    } else if (is_name(name, name_len, "Host")) {
        fr->hosts++;
    }
}

static struct framing_verdict verdict(unsigned status, const char *code,
                                      const char *message)
{
    return (struct framing_verdict){status, code, message};
}

struct framing_verdict framing_verdict(const struct framing *fr,
                                       const char *version)
{
    bool http11 = version && strcmp(version, "HTTP/1.1") == 0;
    if (fr->fields > FRAMING_FIELDS_MAX || fr->bytes > FRAMING_HEADER_BYTES)
        return verdict(431, "headers_too_large",
                       "over 64 header fields or 16 KiB of them");
    if (fr->content_lengths && fr->transfer_encodings)
        return verdict(400, "ambiguous_framing",
                       "Content-Length and Transfer-Encoding together");
    if (fr->content_lengths > 1 || fr->bad_length)
        return verdict(400, "ambiguous_framing",
                       "one Content-Length of 1 to 19 digits, please");
    if (fr->transfer_encodings > 1 || fr->bad_encoding ||
        (fr->transfer_encodings && !http11))
        return verdict(400, "ambiguous_framing",
                       "Transfer-Encoding must be one \"chunked\" (HTTP/1.1)");
    if (http11 && fr->hosts != 1)
        return verdict(400, "host_required",
                       "an HTTP/1.1 request needs exactly one Host header");
    if (fr->hosts > 1)
        return verdict(400, "host_required", "more than one Host header");
    return verdict(0, NULL, NULL);
}

struct framing_verdict framing_uri(const char *uri, size_t len)
{
    if (len > FRAMING_URI_MAX)
        return verdict(414, "uri_too_long", "the request target is over "
                                            "4096 bytes");
    const char *q = uri ? memchr(uri, '?', len) : NULL;
    size_t params = 0;
    if (q != NULL) {
        params = 1;
        for (const char *p = q + 1; p < uri + len; p++)
            params += *p == '&';
    }
    if (params > FRAMING_QUERY_MAX)
        return verdict(414, "uri_too_long", "over 64 query parameters");
    return verdict(0, NULL, NULL);
}
