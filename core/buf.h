#ifndef PLEDGED_BUF_H
#define PLEDGED_BUF_H
/*
 * A growable byte buffer. After buf_init() and until buf_release(), data is
 * never NULL and data[len] is always '\0', so a buffer of text is a C string.
 * Appends that cannot allocate set `failed` and leave the contents as they
 * were; callers append freely and check buf_failed() once at the end.
 */
#include <stdbool.h>
#include <stddef.h>

struct buf {
    char *data;
    size_t len;
    size_t cap;
    bool failed;
};

void buf_init(struct buf *b);
void buf_release(struct buf *b);
void buf_reset(struct buf *b); /* len = 0, keeps memory, clears failed */
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends n bytes as lowercase hex. */
void buf_hex(struct buf *b, const unsigned char *p, size_t n);
static inline bool buf_failed(const struct buf *b) { return b->failed; }

/* Moves the contents out as a malloc'd string (caller frees) and leaves
 * b empty; NULL if the buffer failed. */
char *buf_take(struct buf *b);

#endif
