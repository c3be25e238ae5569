#include "core/webhook.h"

#include <stdlib.h>
#include <string.h>

int webhook_url_check(const char *url, struct fault *f)
{
    size_t n = url ? strlen(url) : 0;
    const char *host = NULL;
    if (n > 7 && strncmp(url, "http://", 7) == 0)
        host = url + 7;
    else if (n > 8 && strncmp(url, "https://", 8) == 0)
        host = url + 8;
    if (host == NULL)
        return fault_set(f, FAULT_INVALID, "url",
                         "url must start with http:// or https://");
    if (n > WEBHOOK_URL_LEN)
        return fault_set(f, FAULT_INVALID, "url",
                         "url is longer than %d characters", WEBHOOK_URL_LEN);
    for (size_t i = 0; i < n; i++)
        if (url[i] <= ' ' || url[i] > '~')
            return fault_set(f, FAULT_INVALID, "url",
                             "url must be printable ASCII, no blanks");
    size_t authority = strcspn(host, "/?#");
    if (authority == 0 || host[0] == ':')
        return fault_set(f, FAULT_INVALID, "url", "url has no host");
    if (memchr(host, '@', authority))
        return fault_set(f, FAULT_INVALID, "url",
                         "url must not carry a user or password");
    return 0;
}

int64_t webhook_backoff_ms(int attempts, int64_t base_ms, double jitter)
{
    const int64_t cap = 3600 * 1000;
    int64_t wait = base_ms > 0 ? base_ms : 1;
    for (int i = 1; i < attempts && wait < cap; i++)
        wait *= 2;
    if (wait > cap)
        wait = cap;
    if (jitter < 0)
        jitter = 0;
    if (jitter > 1)
        jitter = 1;
    return wait + (int64_t)((double)wait / 4 * jitter);
}

char *webhook_body(const struct event_row *e, bool personal)
{
    json_t *data = json_loads(e->data, 0, NULL);
    if (!json_is_object(data)) {
        json_decref(data);
        return NULL;
    }
    if (personal && e->personal) {
        json_t *p = json_loads(e->personal, 0, NULL);
        if (json_is_object(p))
            json_object_update(data, p);
        json_decref(p);
    }
    json_t *o = json_pack("{s:s, s:s, s:o, s:I, s:s}", "type", e->type,
                          "timestamp", e->created_at, "data", data,
                          "event_seq", (json_int_t)e->seq, "id", e->id);
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return text;
}
