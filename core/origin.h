#ifndef PLEDGED_ORIGIN_H
#define PLEDGED_ORIGIN_H
/*
 * Web origins as a campaign lists them in allowed_origins, in the form a
 * browser sends in its Origin header (RFC 6454 serialisation), so that an
 * exact comparison decides: "http" or "https", "://", a lower-case host
 * (DNS labels of [a-z0-9-], not starting or ending with '-'; a dotted
 * IPv4 address; or an IPv6 address in brackets) and an optional ":port"
 * (1..65535, no leading zero). Nothing else: no path, query, fragment,
 * user, wildcard, space, control character, quote or backslash.
 */
#include <stdbool.h>
#include <stddef.h>

bool origin_valid(const char *s, size_t len);

#endif
