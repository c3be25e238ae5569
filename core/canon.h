#ifndef PLEDGED_CANON_H
#define PLEDGED_CANON_H
/*
 * RFC 8785 (JCS) canonical JSON for the values we hash and sign: objects,
 * arrays, strings, integers, true, false and null.
 *
 * Keys are sorted by UTF-16 code units, as JCS says (for the ASCII keys we
 * use this is plain byte order, and equals Python's sort_keys). Strings are
 * written as UTF-8 with only '"', '\\' and the controls below U+0020 escaped:
 * \b \t \n \f \r by name, the rest as \u00xx in lowercase hex. This is
 * byte-identical to Python's json.dumps(x, sort_keys=True,
 * separators=(",", ":"), ensure_ascii=False).
 *
 * Floats have no canonical form we accept (money is never a float), and
 * integers must lie within +-(2^53 - 1) so that every reader sees the same
 * number: both are refused with FAULT_INVALID.
 */
#include "core/buf.h"
#include "core/fault.h"

#include <jansson.h>

/* Appends canonical(v) to out. Returns 0, FAULT_INVALID (a value outside the
 * subset; out may hold a partial write) or FAULT_NOMEM. */
int canon_write(struct buf *out, const json_t *v, struct fault *f)
    __attribute__((warn_unused_result));

#endif
