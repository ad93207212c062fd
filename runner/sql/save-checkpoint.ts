import type { Sql } from "../../server/db/sql";

// Stores a run's newest checkpoint and its step, only while runner $2 still owns the run (fencing: a
// runner that lost its lease cannot overwrite the checkpoint of the runner that took over).
const SAVE_CHECKPOINT = `
WITH owner AS (
  UPDATE "Run" SET "checkpointStep" = $3
  WHERE "id" = $1 AND "runnerId" = $2 AND "status" = 'RUNNING'
  RETURNING "id"
)
INSERT INTO "RunCheckpoint" ("runId", "step", "data", "createdAt")
SELECT "id", $3, $4, now() FROM owner
ON CONFLICT ("runId") DO UPDATE SET "step" = EXCLUDED."step", "data" = EXCLUDED."data", "createdAt" = now()
RETURNING "runId"
`;

/** False when the run is no longer this runner's (nothing was written). */
export async function saveCheckpoint(sql: Sql, runId: string, runnerId: string, step: number, data: Uint8Array): Promise<boolean> {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return (await sql(SAVE_CHECKPOINT, [runId, runnerId, step, bytes])).length > 0;
}
