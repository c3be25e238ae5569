#ifndef PLEDGED_CHECKPOINT_H
#define PLEDGED_CHECKPOINT_H
/*
 * Signed checkpoints: C2SP tlog-checkpoint bodies in C2SP signed-note form.
 *
 *   <log name>/<campaign id>          origin
 *   <tree size>                       = the campaign's seq
 *   <base64 root hash>                RFC 9162 MTH (core/merkle.h)
 *   raised_minor <n>                  extension lines: the totals at that
 *   collected_minor <n>               size, the goal and the currency, so
 *   goal_minor <n>                    that a rewritten total or a moved
 *   currency <ISO 4217>               goalpost shows
 *   <blank line>
 *   — <log name> <base64(key ID || Ed25519 signature of the text above)>
 *
 * The key ID is SHA-256(key name || 0x0A || 0x01 || public key)[:4], as
 * signed-note recommends, so a new signing key gets a new ID. The verifier
 * key that note tools take is "<name>+<8 hex key ID>+<base64(0x01 || pk)>".
 */
#include "core/fault.h"
#include "core/merkle.h"
#include "core/signer.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CHECKPOINT_NAME_MAX 100 /* the log (and key) name */
#define CHECKPOINT_VKEY_MAX (CHECKPOINT_NAME_MAX + 64)

struct checkpoint {
    char origin[CHECKPOINT_NAME_MAX + 72];
    int64_t size;
    merkle_hash root;
    int64_t raised_minor, collected_minor, goal_minor;
    char currency[4];
};

/* True for a usable log name: 1..100 printable ASCII characters, no space
 * and no '+' (signed-note's rule for key names). */
bool checkpoint_name_ok(const char *name);

uint32_t checkpoint_key_id(const char *name, const unsigned char pk[32]);

/* Writes the verifier key of (name, pk) to out. */
void checkpoint_vkey(char out[CHECKPOINT_VKEY_MAX], const char *name,
                     const unsigned char pk[32]);

/* The signed note of c, signed by k under key name `name`: a malloc'd,
 * NUL-terminated string, or NULL (out of memory). */
char *checkpoint_sign(const struct checkpoint *c, const char *name,
                      const struct signer *k);

/* Reads a signed note against a verifier key: 0 and c filled when a
 * signature by that key verifies over a well-formed checkpoint; else
 * FAULT_INVALID naming what failed ("signature", "vkey", "checkpoint"). */
int checkpoint_open(struct checkpoint *c, const char *note, size_t len,
                    const char *vkey, struct fault *f)
    __attribute__((warn_unused_result));

#endif
