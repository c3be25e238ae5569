#include "core/canon.h"

#include "core/money.h"

#include <stdlib.h>
#include <string.h>

static void write_string(struct buf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    buf_putc(out, '"');
    size_t run = 0; /* bytes copied verbatim in one go */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char u[7];
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\b': esc = "\\b"; break;
        case '\t': esc = "\\t"; break;
        case '\n': esc = "\\n"; break;
        case '\f': esc = "\\f"; break;
        case '\r': esc = "\\r"; break;
        default:
            if (c < 0x20) {
                memcpy(u, "\\u00", 4);
                u[4] = hex[c >> 4];
                u[5] = hex[c & 15];
                u[6] = '\0';
                esc = u;
            }
        }
        if (esc == NULL) {
            run++;
            continue;
        }
        buf_append(out, s + i - run, run);
        run = 0;
        buf_puts(out, esc);
    }
    buf_append(out, s + n - run, run);
    buf_putc(out, '"');
}

/* Next UTF-16 code unit of a UTF-8 string (already valid: jansson checks
 * every string it holds). *pending carries the low surrogate of a pair. */
static unsigned next_unit(const unsigned char **p, unsigned *pending)
{
    if (*pending) {
        unsigned u = *pending;
        *pending = 0;
        return u;
    }
    const unsigned char *s = *p;
    unsigned cp;
    if (s[0] < 0x80)
        cp = s[0], *p += 1;
    else if (s[0] < 0xE0)
        cp = ((s[0] & 0x1Fu) << 6) | (s[1] & 0x3Fu), *p += 2;
    else if (s[0] < 0xF0)
        cp = ((s[0] & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu),
        *p += 3;
    else
        cp = ((s[0] & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) |
             ((s[2] & 0x3Fu) << 6) | (s[3] & 0x3Fu),
        *p += 4;
    if (cp < 0x10000)
        return cp;
    cp -= 0x10000;
    *pending = 0xDC00 + (cp & 0x3FF);
    return 0xD800 + (cp >> 10);
}

static int utf16_cmp(const void *a, const void *b)
{
    const unsigned char *x = *(const unsigned char *const *)a;
    const unsigned char *y = *(const unsigned char *const *)b;
    unsigned px = 0, py = 0;
    while ((*x || px) && (*y || py)) {
        unsigned ux = next_unit(&x, &px), uy = next_unit(&y, &py);
        if (ux != uy)
            return ux < uy ? -1 : 1;
    }
    return (*x || px) - (*y || py);
}

static int write_value(struct buf *out, const json_t *v, struct fault *f,
                       int depth)
{
    if (depth > 64)
        return fault_set(f, FAULT_INVALID, NULL, "JSON nested too deeply");
    switch (json_typeof(v)) {
    case JSON_NULL: buf_puts(out, "null"); return 0;
    case JSON_TRUE: buf_puts(out, "true"); return 0;
    case JSON_FALSE: buf_puts(out, "false"); return 0;
    case JSON_REAL:
        return fault_set(f, FAULT_INVALID, NULL,
                         "floating point numbers have no canonical form");
    case JSON_INTEGER: {
        json_int_t i = json_integer_value(v);
        if (i > MONEY_MAX_EXACT || i < -MONEY_MAX_EXACT)
            return fault_set(f, FAULT_INVALID, NULL,
                             "integer beyond 2^53-1 in canonical JSON");
        buf_printf(out, "%lld", (long long)i);
        return 0;
    }
    case JSON_STRING:
        write_string(out, json_string_value(v), json_string_length(v));
        return 0;
    case JSON_ARRAY: {
        buf_putc(out, '[');
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                buf_putc(out, ',');
            int rc = write_value(out, json_array_get(v, i), f, depth + 1);
            if (rc)
                return rc;
        }
        buf_putc(out, ']');
        return 0;
    }
    case JSON_OBJECT: {
        size_t n = json_object_size(v);
        const char **keys = malloc((n ? n : 1) * sizeof *keys);
        if (keys == NULL)
            return fault_set(f, FAULT_NOMEM, NULL, "out of memory");
        size_t k = 0;
        const char *key;
        json_t *val;
        json_object_foreach((json_t *)v, key, val) keys[k++] = key;
        qsort(keys, n, sizeof *keys, utf16_cmp);
        int rc = 0;
        buf_putc(out, '{');
        for (size_t i = 0; i < n && rc == 0; i++) {
            if (i)
                buf_putc(out, ',');
            write_string(out, keys[i], strlen(keys[i]));
            buf_putc(out, ':');
            rc = write_value(out, json_object_get(v, keys[i]), f, depth + 1);
        }
        buf_putc(out, '}');
        free(keys);
        return rc;
    }
    }
    return fault_set(f, FAULT_INVALID, NULL, "unknown JSON type");
}

int canon_write(struct buf *out, const json_t *v, struct fault *f)
{
    if (v == NULL)
        return fault_set(f, FAULT_INVALID, NULL, "no value");
    int rc = write_value(out, v, f, 0);
    if (rc == 0 && buf_failed(out))
        rc = fault_set(f, FAULT_NOMEM, NULL, "out of memory");
    return rc;
}
