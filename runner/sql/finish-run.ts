import type { Sql } from "../../server/db/sql";

// Settles a run this runner owns: SUCCEEDED, FAILED, CANCELED or CRASHED. Fenced on the owner, so a
// runner that lost the run cannot overwrite what the new owner does. Returns no row when not owned.
const FINISH_RUN = `
UPDATE "Run" SET "status" = $3::"RunStatus", "error" = $4, "finishedAt" = now(), "leaseExpiresAt" = NULL
WHERE "id" = $1 AND "runnerId" = $2 AND "status" = 'RUNNING'
RETURNING "id"
`;

export type FinalStatus = "SUCCEEDED" | "FAILED" | "CANCELED" | "CRASHED";

/** False when the run is no longer this runner's (nothing was written). */
export async function finishRun(sql: Sql, runId: string, runnerId: string, status: FinalStatus, error: string | null): Promise<boolean> {
  return (await sql(FINISH_RUN, [runId, runnerId, status, error])).length > 0;
}
