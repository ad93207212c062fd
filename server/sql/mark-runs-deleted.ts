import type { Sql } from "../db/sql";

// Deletes runs the MLflow way (server/db/lifecycle.ts holds the rule): the rows stay, deletedAt is
// set (kept when already deleted, so a second delete never moves it). A run a runner would still work
// on is stopped in the same statement: QUEUED becomes CANCELED at once, RUNNING is asked to cancel.
// The CTE locks the rows and reads each run's status before the update, so "stopping" reports the
// status the run had when it was deleted, not the CANCELED it may have become.
const MARK_RUNS_DELETED = `
WITH target AS (
  SELECT "id", "status", "runnerId" FROM "Run" WHERE "id" = ANY($1::uuid[]) FOR UPDATE
)
UPDATE "Run" r SET
  "deletedAt" = COALESCE(r."deletedAt", $2::timestamptz),
  "status" = CASE WHEN t."status" = 'QUEUED' THEN 'CANCELED'::"RunStatus" ELSE r."status" END,
  "finishedAt" = CASE WHEN t."status" = 'QUEUED' THEN $2::timestamptz ELSE r."finishedAt" END,
  "cancelRequested" = r."cancelRequested" OR t."status" IN ('QUEUED', 'RUNNING')
FROM target t
WHERE r."id" = t."id"
RETURNING r."id"::text AS "id", (t."status" = 'RUNNING' AND t."runnerId" IS NOT NULL) AS "stopping"`;

export interface MarkedRun {
  id: string;
  /** It was running on a runner: asked to cancel, it stops within seconds. */
  stopping: boolean;
}

/** Every run of `ids` that exists (deleted now or before). */
export async function markRunsDeleted(sql: Sql, ids: readonly string[], at: Date): Promise<MarkedRun[]> {
  return sql<MarkedRun>(MARK_RUNS_DELETED, [ids, at]);
}
