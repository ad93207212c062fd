export const SELECT_CHECKPOINT = `SELECT "step", "data" FROM "RunCheckpoint" WHERE "runId" = $1`;
