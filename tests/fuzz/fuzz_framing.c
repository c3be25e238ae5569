/* libFuzzer: the framing policy (api/framing.c) on arbitrary header
 * blocks. The input is "VERSION\nName: value\n..." as raw bytes; every
 * verdict must be one of ours, and no ambiguous length may pass. */
#include "api/framing.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    const char *nl = memchr(p, '\n', size);
    char version[16] = "";
    size_t vlen = (size_t)((nl ? nl : end) - p);
    memcpy(version, p, vlen < sizeof version - 1 ? vlen : sizeof version - 1);
    struct framing fr;
    framing_init(&fr);
    unsigned cl = 0, te = 0, host = 0;
    for (p = nl ? nl + 1 : end; p < end;) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (eol == NULL)
            eol = end;
        const char *colon = memchr(p, ':', (size_t)(eol - p));
        if (colon) {
            size_t n = (size_t)(colon - p);
            framing_field(&fr, p, n, colon + 1, (size_t)(eol - colon - 1));
            cl += n == 14 && strncasecmp(p, "Content-Length", 14) == 0;
            te += n == 17 && strncasecmp(p, "Transfer-Encoding", 17) == 0;
            host += n == 4 && strncasecmp(p, "Host", 4) == 0;
        }
        p = eol + 1;
    }
    struct framing_verdict v = framing_verdict(&fr, version);
    if (v.status != 0 && v.status != 400 && v.status != 431)
        abort();
    if (v.status && (v.code == NULL || v.message == NULL))
        abort();
    if (v.status == 0 && ((cl && te) || cl > 1 || te > 1 || host > 1 ||
                          (strcmp(version, "HTTP/1.1") == 0 && host != 1)))
        abort(); /* ambiguous framing let through */
    struct framing_verdict u = framing_uri((const char *)data, size);
    if (u.status != 0 && u.status != 414)
        abort();
    if (u.status == 0 && size > FRAMING_URI_MAX)
        abort();
    return 0;
}
