import type { Sql } from "../db/sql";
import { purgeLockKey } from "./purge-lock-key";

// Releases what lockRunForPurge took; session-level locks only go on request (or when the
// connection closes), so it must run on the same client.
const UNLOCK_RUN_FOR_PURGE = `SELECT pg_advisory_unlock(${purgeLockKey("$1")})`;

export async function unlockRunForPurge(sql: Sql, runId: string): Promise<void> {
  await sql(UNLOCK_RUN_FOR_PURGE, [runId]);
}
