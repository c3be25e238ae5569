#include "core/event.h"

#include <string.h>

const char *const event_types[] = {
    "pledge.created",   "pledge.voided",     "pledge.refunded",
    "payment.succeeded", "payment.failed",   "payment.refunded",
    "payment.disputed", "campaign.created",  "campaign.updated",
    "campaign.closed",  NULL,
};

bool event_type_known(const char *type)
{
    for (size_t i = 0; event_types[i]; i++)
        if (strcmp(event_types[i], type) == 0)
            return true;
    return false;
}

int event_types_parse(char out[][EVENT_TYPE_MAX], size_t *n, const char *text,
                      const char *field, struct fault *f)
{
    *n = 0;
    if (text == NULL || text[0] == '\0')
        return 0;
    const char *p = text;
    for (;;) {
        size_t len = strcspn(p, ",");
        if (*n == EVENT_TYPES_MAX)
            return fault_set(f, FAULT_INVALID, field,
                             "at most %d types", EVENT_TYPES_MAX);
        if (len == 0 || len >= EVENT_TYPE_MAX ||
            strspn(p, "abcdefghijklmnopqrstuvwxyz_.") < len)
            return fault_set(f, FAULT_INVALID, field,
                             "types such as pledge.created, separated by "
                             "single commas");
        memcpy(out[*n], p, len);
        out[*n][len] = '\0';
        if (!event_type_known(out[*n]))
            return fault_set(f, FAULT_INVALID, field,
                             "unknown event type %s", out[*n]);
        (*n)++;
        if (p[len] == '\0')
            return 0;
        p += len + 1;
    }
}

bool event_type_wanted(char types[][EVENT_TYPE_MAX], size_t n,
                       const char *type)
{
    if (n == 0)
        return true;
    for (size_t i = 0; i < n; i++)
        if (strcmp(types[i], type) == 0)
            return true;
    return false;
}
