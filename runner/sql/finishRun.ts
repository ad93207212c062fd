// Settles a run this runner owns: SUCCEEDED, FAILED, CANCELED or CRASHED. Fenced on the owner, so a
// runner that lost the run cannot overwrite what the new owner does. Returns no row when not owned.
export const FINISH_RUN = `
UPDATE "Run" SET "status" = $3::"RunStatus", "error" = $4, "finishedAt" = now(), "leaseExpiresAt" = NULL
WHERE "id" = $1 AND "runnerId" = $2 AND "status" = 'RUNNING'
RETURNING "id"
`;
