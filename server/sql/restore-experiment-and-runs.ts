import type { Sql } from "../db/sql";
import { purgeLockKey } from "./purge-lock-key";

// Restores a deleted experiment and exactly the runs its delete took along: those whose deletedAt is
// the experiment's (mark-experiment-deleted.ts gives both the same timestamp), not ones deleted on
// their own before (MLflow would restore those too). One statement, so the experiment's old deletedAt
// is read under its row lock and used before it is cleared. Runs a purge is removing are skipped,
// as in restore-deleted-runs.ts.
const RESTORE_EXPERIMENT_AND_RUNS = `
WITH old AS (SELECT "deletedAt" FROM "Experiment" WHERE "id" = $1::uuid AND "deletedAt" IS NOT NULL FOR UPDATE),
restored AS (
  UPDATE "Experiment" e SET "deletedAt" = NULL, "updatedAt" = now() FROM old WHERE e."id" = $1::uuid RETURNING old."deletedAt"
)
UPDATE "Run" r SET "deletedAt" = NULL FROM restored
WHERE r."experimentId" = $1::uuid AND r."deletedAt" = restored."deletedAt"
  AND pg_try_advisory_xact_lock(${purgeLockKey(`r."id"`)})
RETURNING r."id"::text AS "id"`;

/** The ids of the runs restored with it. */
export async function restoreExperimentAndRuns(sql: Sql, id: string): Promise<string[]> {
  return (await sql<{ id: string }>(RESTORE_EXPERIMENT_AND_RUNS, [id])).map((r) => r.id);
}
