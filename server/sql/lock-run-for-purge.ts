import type { Sql } from "../db/sql";
import { purgeLockKey } from "./purge-lock-key";

// A purge takes its run's lock at session level, not in a transaction: its point batches are short
// statements of their own (no transaction grows with a run's size), and the lock must outlive them.
// Blocks while a restore of the same run holds the key. Run it on one dedicated client and release
// it there with unlockRunForPurge.
const LOCK_RUN_FOR_PURGE = `SELECT pg_advisory_lock(${purgeLockKey("$1")})`;

export async function lockRunForPurge(sql: Sql, runId: string): Promise<void> {
  await sql(LOCK_RUN_FOR_PURGE, [runId]);
}
