import type { Sql } from "../db/sql";
import { purgeLockKey } from "./purge-lock-key";

// Restores deleted runs, skipping any that a purge is removing right now: the purge holds the run's
// lock (purge-lock-key.ts) and a try-lock here fails instead of waiting, so a run is never restored
// half purged and a restore never waits behind a long purge. The lock lasts until the caller's
// transaction ends.
const RESTORE_DELETED_RUNS = `
UPDATE "Run" SET "deletedAt" = NULL
WHERE "id" = ANY($1::uuid[]) AND "deletedAt" IS NOT NULL
  AND pg_try_advisory_xact_lock(${purgeLockKey(`"id"`)})
RETURNING "id"::text AS "id"`;

/** The ids restored. */
export async function restoreDeletedRuns(sql: Sql, ids: readonly string[]): Promise<string[]> {
  return (await sql<{ id: string }>(RESTORE_DELETED_RUNS, [ids])).map((r) => r.id);
}
