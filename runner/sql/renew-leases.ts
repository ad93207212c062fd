import type { Sql } from "../../server/db/sql";

// The heartbeat: marks the runner seen and extends the lease of every run it still owns. A run that
// does not come back was taken over (its lease expired and another runner claimed it) or settled by
// someone else; the caller stops its worker. `cancelRequested` rides along so a cancel is noticed on
// the heartbeat at the latest.
const RENEW_LEASES = `
WITH seen AS (
  UPDATE "Runner" SET "lastSeenAt" = now() WHERE "id" = $1 RETURNING "id"
)
UPDATE "Run" SET "leaseExpiresAt" = now() + $3::int * interval '1 millisecond', "heartbeatAt" = now()
WHERE "id" = ANY($2::uuid[]) AND "runnerId" = $1 AND "status" = 'RUNNING'
RETURNING "id"::text AS "id", "cancelRequested"
`;

export interface RenewedLease {
  id: string;
  cancelRequested: boolean;
}

/** The runs among `runIds` whose lease was renewed; the others are no longer this runner's. */
export async function renewLeases(sql: Sql, runnerId: string, runIds: readonly string[], leaseMs: number): Promise<RenewedLease[]> {
  return sql<RenewedLease>(RENEW_LEASES, [runnerId, runIds, leaseMs]);
}
