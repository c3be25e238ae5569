/* libFuzzer: Stripe webhooks. The input is parsed as an event, and, split
 * at its first newline, checked as a Stripe-Signature header over the
 * rest. Neither may crash; no signature may verify (nothing here was
 * signed with the secret). */
#include "core/stripe_event.h"
#include "core/stripe_sig.h"

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        if (sodium_init() < 0)
            abort();
        ready = 1;
    }
    struct stripe_event ev;
    (void)stripe_event_parse(&ev, (const char *)data, size, NULL);

    const uint8_t *nl = memchr(data, '\n', size);
    size_t hlen = nl ? (size_t)(nl - data) : size;
    char *header = malloc(hlen + 1);
    if (header == NULL)
        return 0;
    memcpy(header, data, hlen);
    header[hlen] = '\0';
    const uint8_t *body = nl ? nl + 1 : data + size;
    size_t blen = (size_t)(data + size - body);
    if (stripe_sig_verify(NULL, header, body, blen, "whsec_fuzz, whsec_two",
                          1700000000, NULL) == 0)
        abort();
    free(header);
    return 0;
}
