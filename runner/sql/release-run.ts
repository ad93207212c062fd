import type { Sql } from "../../server/db/sql";

// Hands a run back to the queue. $3 = true on shutdown: the attempt was not a failure, so it is not
// counted (the claim added one); false after a worker crash, which does count towards maxAttempts.
const RELEASE_RUN = `
UPDATE "Run" SET "status" = 'QUEUED', "runnerId" = NULL, "leaseExpiresAt" = NULL, "heartbeatAt" = NULL,
  "attempts" = CASE WHEN $3::boolean THEN GREATEST("attempts" - 1, 0) ELSE "attempts" END,
  "error" = COALESCE($4, "error")
WHERE "id" = $1 AND "runnerId" = $2 AND "status" = 'RUNNING'
RETURNING "id"
`;

/** False when the run is no longer this runner's (nothing was written). */
export async function releaseRun(sql: Sql, runId: string, runnerId: string, o: { shutdown: boolean; error: string | null }): Promise<boolean> {
  return (await sql(RELEASE_RUN, [runId, runnerId, o.shutdown, o.error])).length > 0;
}
