import type { Sql } from "../../server/db/sql";

// The metric writer's fence, run in each batch's transaction before the points are stored: locks the
// Run row if runner $2 still owns it. No row: the run was taken over (or settled) meanwhile, and the
// batch is dropped, so a runner whose lease expired during an outage cannot overwrite the points of
// the runner that resumed the run. The lock also orders the batch against a claim of the row.
const LOCK_OWNED_RUN = `
SELECT 1 FROM "Run" WHERE "id" = $1 AND "runnerId" = $2 AND "status" = 'RUNNING' FOR UPDATE
`;

/** True when `runnerId` still owns the run, whose row is then locked until the transaction ends. */
export async function lockOwnedRun(sql: Sql, runId: string, runnerId: string): Promise<boolean> {
  return (await sql(LOCK_OWNED_RUN, [runId, runnerId])).length > 0;
}
