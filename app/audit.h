#ifndef PLEDGED_APP_AUDIT_H
#define PLEDGED_APP_AUDIT_H
/*
 * The audit of one campaign: recomputes the hash chain and the sums from
 * the ledger, compares them with the stored totals, and re-verifies every
 * stored receipt's signature and that it names the ledger entry it claims
 * (seq, entry_hash, amount). Read-only, one ledger row at a time.
 */
#include "core/fault.h"
#include "core/ledger.h"

struct store;

struct audit {
    struct ledger_check ledger; /* entries, sums and the problems list */
    int64_t receipts;           /* receipts checked */
};

/* 0 with the report in *out (problems or not), or a fault when the audit
 * could not run (FAULT_NOT_FOUND, FAULT_UNAVAILABLE). */
int audit_run(struct audit *out, struct store *s, const char *campaign_id,
              struct fault *f) __attribute__((warn_unused_result));

#endif
