/* libFuzzer: the pledge body parser and validator on arbitrary bytes. */
#include "api/http.h"
#include "core/pledge.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
                              NULL);
    if (body == NULL)
        return 0;
    struct pledge_request req;
    struct reply out;
    reply_init(&out);
    if (pledge_body_parse(&req, &out, body) == 0) {
        struct fault f = {0};
        if (pledge_request_check(&req, &f) == 0 &&
            (req.amount_minor < 0 ||
             (req.donor_name && req.donor_name_len > PLEDGE_NAME_MAX * 4)))
            abort(); /* the validator let through what it must refuse */
    } else if (out.status < 400 || out.status >= 500) {
        abort(); /* a refusal must be a 4xx */
    }
    reply_release(&out);
    json_decref(body);
    return 0;
}
