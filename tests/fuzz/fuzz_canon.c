/* libFuzzer: canonical JSON must round-trip through jansson and be stable:
 * canonical(parse(canonical(x))) == canonical(x). */
#include "core/canon.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *v = json_loadb((const char *)data, size,
                           JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    if (v == NULL)
        return 0;
    struct buf once, twice;
    buf_init(&once);
    buf_init(&twice);
    if (canon_write(&once, v, NULL) == 0) {
        json_t *back = json_loadb(once.data, once.len,
                                  JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
        if (back == NULL)
            abort(); /* our output is not JSON */
        if (canon_write(&twice, back, NULL) != 0 || once.len != twice.len ||
            memcmp(once.data, twice.data, once.len) != 0)
            abort(); /* not stable */
        json_decref(back);
    }
    buf_release(&once);
    buf_release(&twice);
    json_decref(v);
    return 0;
}
