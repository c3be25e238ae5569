/* The durability barrier (internal.h, st_durable). */
#include "store/internal.h"

/* What a read finds committed on this host may not be on the synchronous
 * standby yet: a COMMIT whose wait for the standby was cut short (the
 * backend terminated, Postgres killed and restarted in place by its
 * keeper) is committed here alone, and a failover then discards it with
 * the old primary. Answering 201 from such a read (a batch whose COMMIT
 * outcome was unknown, an Idempotency-Key replay) would acknowledge a
 * pledge that can still be lost. A transaction that writes WAL waits at
 * COMMIT until the standby has flushed up to its commit record, so once it
 * is answered everything committed before it on this host is on the
 * standby too. Taking an xid is not enough: a transaction that wrote no
 * WAL record before COMMIT commits without waiting for the standby
 * (RecordTransactionCommit), so the barrier writes a transactional logical
 * message: one WAL record, no table, any wal_level, no privilege. Inside a
 * transaction the caller's COMMIT waits; outside, it is its own. */
int st_durable(struct store *s, struct fault *f)
{
    if (PQtransactionStatus(s->conn) != PQTRANS_IDLE)
        return st_exec(s,
                       "SELECT pg_logical_emit_message(true, 'pledged', "
                       "'durable')",
                       f);
    return st_exec(s,
                   "BEGIN; SELECT pg_logical_emit_message(true, 'pledged', "
                   "'durable'); COMMIT",
                   f);
}
