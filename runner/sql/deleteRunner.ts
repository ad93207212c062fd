// Removes a runner that stopped cleanly; finished runs keep their history (runnerId is set null).
export const DELETE_RUNNER = `DELETE FROM "Runner" WHERE "id" = $1`;
