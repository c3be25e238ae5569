/* Values as Postgres text: hashes as bytea, integers, array literals. */
#include "store/internal.h"

#include "core/hex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void st_bytea(char out[BYTEA32_HEX], const unsigned char h[32])
{
    out[0] = '\\';
    out[1] = 'x';
    hex_encode(out + 2, h, 32);
}

int st_unbytea(unsigned char out[32], const char *text, struct fault *f)
{
    if (text[0] != '\\' || text[1] != 'x' || hex_decode(out, 32, text + 2))
        return fault_set(f, FAULT_TAMPERED, NULL,
                         "hash is not 32 bytes of hex");
    return 0;
}

int64_t st_i64col(PGresult *r, int row, int col)
{
    return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

void st_strcol(char *out, size_t n, PGresult *r, int row, int col)
{
    snprintf(out, n, "%s", PQgetvalue(r, row, col));
}

const char *st_i64text(char out[I64_TEXT], int64_t v)
{
    snprintf(out, I64_TEXT, "%lld", (long long)v);
    return out;
}

void st_arr_open(struct buf *b)
{
    buf_putc(b, '{');
}

static void arr_sep(struct buf *b)
{
    if (b->len > 1)
        buf_putc(b, ',');
}

void st_arr_text(struct buf *b, const char *v)
{
    arr_sep(b);
    if (v == NULL) {
        buf_puts(b, "NULL");
        return;
    }
    buf_putc(b, '"');
    for (const char *p = v; *p; p++) {
        if (*p == '"' || *p == '\\')
            buf_putc(b, '\\');
        buf_putc(b, *p);
    }
    buf_putc(b, '"');
}

void st_arr_i64(struct buf *b, int64_t v)
{
    arr_sep(b);
    buf_printf(b, "%lld", (long long)v);
}

void st_arr_bytea(struct buf *b, const unsigned char h[32])
{
    arr_sep(b);
    buf_puts(b, "\"\\\\x");
    buf_hex(b, h, 32);
    buf_putc(b, '"');
}

void st_arr_close(struct buf *b)
{
    buf_putc(b, '}');
}
