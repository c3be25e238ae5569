#ifndef PLEDGED_TEXT_H
#define PLEDGED_TEXT_H
/*
 * Rules for text that people type: no control characters, and email
 * addresses in the practical syntax that web forms use.
 *
 * Every function takes text that utf8_valid() accepted.
 */
#include <stdbool.h>
#include <stddef.h>

/* True when s holds a C0 control (U+0000..U+001F), DEL or a C1 control
 * (U+0080..U+009F); with multiline, the line breaks LF and CR and the
 * tab are allowed. */
bool text_has_controls(const char *s, size_t len, bool multiline);

/* Copies s into out (cap bytes, NUL-terminated) with CRLF and lone CR
 * turned into LF; returns the length written. out must hold len + 1. */
size_t text_normalise_newlines(char *out, size_t cap, const char *s,
                               size_t len);

/* The WHATWG "valid e-mail address" (what <input type=email> accepts):
 * ASCII, local part of [A-Za-z0-9.!#$%&'*+/=?^_`{|}~-], one '@', a domain
 * of dot-separated labels of letters, digits and inner hyphens; plus
 * RFC 5321's lengths (local part <= 64, labels <= 63, all <= 254). */
bool text_email_valid(const char *s, size_t len);

#endif
