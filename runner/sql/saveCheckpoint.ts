// Stores a run's newest checkpoint and its step, only while runner $2 still owns the run (fencing: a
// runner that lost its lease cannot overwrite the checkpoint of the runner that took over).
export const SAVE_CHECKPOINT = `
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
