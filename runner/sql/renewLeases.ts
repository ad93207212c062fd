// The heartbeat: marks the runner seen and extends the lease of every run it still owns. A run that
// does not come back was taken over (its lease expired and another runner claimed it) or settled by
// someone else; the caller stops its worker. `cancelRequested` rides along so a cancel is noticed on
// the heartbeat at the latest.
export const RENEW_LEASES = `
WITH seen AS (
  UPDATE "Runner" SET "lastSeenAt" = now() WHERE "id" = $1 RETURNING "id"
)
UPDATE "Run" SET "leaseExpiresAt" = now() + $3::int * interval '1 millisecond', "heartbeatAt" = now()
WHERE "id" = ANY($2::uuid[]) AND "runnerId" = $1 AND "status" = 'RUNNING'
RETURNING "id", "cancelRequested"
`;
