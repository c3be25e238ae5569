/* libFuzzer: the router on arbitrary methods and paths. */
#include "api/http.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *no_header(const struct request *r, const char *name)
{
    (void)r, (void)name;
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const methods[] = {"GET", "POST", "PATCH", "PUT",
                                          "DELETE", "OPTIONS", "HEAD", "X"};
    if (size < 1)
        return 0;
    char path[4096];
    size_t n = size - 1 < sizeof path - 1 ? size - 1 : sizeof path - 1;
    memcpy(path, data + 1, n);
    path[n] = '\0';
    struct request req = {.method = methods[data[0] % 8], .path = path,
                          .header = no_header, .query = no_header};
    struct reply out;
    reply_init(&out);
    const struct route *rt = route_find(&out, &req);
    if (rt == NULL && out.status != 404 && out.status != 405 &&
        out.status != 204)
        abort();
    for (size_t i = 0; rt && i < req.nparams; i++)
        if (strlen(req.params[i]) == 0 || strchr(req.params[i], '/'))
            abort(); /* a parameter is one non-empty segment */
    reply_release(&out);
    return 0;
}
