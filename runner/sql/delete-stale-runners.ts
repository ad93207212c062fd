import type { Sql } from "../../server/db/sql";

// Deletes the rows of runners not seen for $1 ms (they died without deregistering: kill -9, a lost
// machine). Any live runner runs it now and then; the table is tiny, so it is one cheap statement.
// A row whose runner still holds an unexpired lease is kept whatever its lastSeenAt says: the lease
// is the fence, and deleting the row would null its runs' runnerId (ON DELETE SET NULL) under it.
// Runs keep the name of the runner that executed them in their events ("attempt N of M on runner
// X, ..."), so their history does not depend on this row.
const DELETE_STALE_RUNNERS = `
DELETE FROM "Runner" AS r
WHERE r."lastSeenAt" < now() - $1::double precision * interval '1 millisecond'
  AND NOT EXISTS (
    SELECT 1 FROM "Run" WHERE "runnerId" = r."id" AND "status" = 'RUNNING' AND "leaseExpiresAt" > now()
  )
RETURNING r."id"
`;

/** The ids of the runner rows deleted. */
export async function deleteStaleRunners(sql: Sql, notSeenForMs: number): Promise<string[]> {
  const rows = await sql<{ id: string }>(DELETE_STALE_RUNNERS, [notSeenForMs]);
  return rows.map((r) => r.id);
}
