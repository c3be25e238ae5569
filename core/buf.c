#include "core/buf.h"

#include "core/hex.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char empty[1];

void buf_init(struct buf *b)
{
    b->data = empty;
    b->len = 0;
    b->cap = 0;
    b->failed = false;
}

void buf_release(struct buf *b)
{
    if (b->cap)
        free(b->data);
    buf_init(b);
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    /* Never write to the shared empty string: every thread's unused
     * buffers point at it (a data race ThreadSanitizer found). */
    if (b->cap)
        b->data[0] = '\0';
    b->failed = false;
}

static bool grow(struct buf *b, size_t extra)
{
    if (b->failed)
        return false;
    if (extra < b->cap - b->len)
        return true;
    size_t need;
    if (__builtin_add_overflow(b->len, extra + 1, &need)) {
        b->failed = true;
        return false;
    }
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) {
        if (__builtin_mul_overflow(cap, 2, &cap)) {
            cap = need;
            break;
        }
    }
    char *p = realloc(b->cap ? b->data : NULL, cap);
    if (p == NULL) {
        b->failed = true;
        return false;
    }
    if (!b->cap)
        p[0] = '\0';
    b->data = p;
    b->cap = cap;
    return true;
}

void buf_append(struct buf *b, const void *p, size_t n)
{
    if (n == 0 || !grow(b, n))
        return;
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s) { buf_append(b, s, strlen(s)); }

void buf_putc(struct buf *b, char c) { buf_append(b, &c, 1); }

void buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !grow(b, (size_t)n)) {
        b->failed = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void buf_hex(struct buf *b, const unsigned char *p, size_t n)
{
    if (!grow(b, n * 2))
        return;
    hex_encode(b->data + b->len, p, n);
    b->len += 2 * n;
}

char *buf_take(struct buf *b)
{
    char *s = NULL;
    if (!b->failed)
        s = b->cap ? b->data : strdup("");
    else if (b->cap)
        free(b->data);
    buf_init(b);
    return s;
}
