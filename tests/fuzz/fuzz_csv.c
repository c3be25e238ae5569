/* libFuzzer: a CSV cell written by the export parses back (RFC 4180) to
 * its text, with one leading apostrophe exactly when export_csv_formula
 * says so, and that is at least whenever the text starts with = + - @ TAB
 * or CR, or has = + - @ after leading ASCII whitespace. */
#include "core/export.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads one cell from p (up to end); returns a malloc'd string and sets
 * *next to what follows it. */
static char *read_cell(const char *p, const char *end, const char **next)
{
    char *out = malloc((size_t)(end - p) + 1);
    size_t n = 0;
    if (p < end && *p == '"') {
        for (p++; p < end; p++) {
            if (*p == '"') {
                if (p + 1 < end && p[1] == '"') {
                    out[n++] = '"';
                    p++;
                } else {
                    p++;
                    break;
                }
            } else {
                out[n++] = *p;
            }
        }
    } else {
        for (; p < end && *p != ',' && *p != '\r' && *p != '\n'; p++) {
            if (*p == '"')
                abort(); /* a bare quote in an unquoted cell */
            out[n++] = *p;
        }
    }
    out[n] = '\0';
    *next = p;
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0'; /* cells are C strings: stop at the first NUL */
    struct buf b;
    buf_init(&b);
    export_csv_text(&b, text);
    buf_putc(&b, ',');
    export_csv_text(&b, "next");
    const char *next;
    char *cell = read_cell(b.data, b.data + b.len, &next);
    bool formula = export_csv_formula(text);
    const char *trimmed = text + strspn(text, " \t\n\v\f\r");
    if (!formula && ((text[0] != '\0' && strchr("=+-@\t\r", text[0])) ||
                     (*trimmed != '\0' && strchr("=+-@", *trimmed))))
        abort(); /* a formula let through */
    const char *want = cell + (formula ? 1 : 0);
    if ((formula && cell[0] != '\'') || strcmp(want, text) != 0)
        abort();
    if (*next != ',')
        abort(); /* the cell did not end where it should */
    char *second = read_cell(next + 1, b.data + b.len, &next);
    if (strcmp(second, "next") != 0)
        abort();
    free(second);
    free(cell);
    buf_release(&b);
    free(text);
    return 0;
}
