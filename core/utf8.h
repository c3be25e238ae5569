#ifndef PLEDGED_UTF8_H
#define PLEDGED_UTF8_H
/*
 * Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above
 * U+10FFFF. NUL bytes are refused too, since no text column can hold them.
 */
#include <stdbool.h>
#include <stddef.h>

/* True if s[0..n) is strict UTF-8 without NUL; *chars (may be NULL) gets the
 * number of code points. */
bool utf8_valid(const char *s, size_t n, size_t *chars);

#endif
