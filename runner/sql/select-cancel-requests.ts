import type { Sql } from "../../server/db/sql";

// The fast cancel poll: which of this runner's runs the dashboard asked to stop. Reads an index-free
// handful of rows by primary key, so polling every second costs nothing noticeable.
const SELECT_CANCEL_REQUESTS = `
SELECT "id"::text AS "id" FROM "Run" WHERE "id" = ANY($1::uuid[]) AND "runnerId" = $2 AND "cancelRequested"
`;

/** The ids among `runIds` whose cancel was requested. */
export async function selectCancelRequests(sql: Sql, runIds: readonly string[], runnerId: string): Promise<string[]> {
  const rows = await sql<{ id: string }>(SELECT_CANCEL_REQUESTS, [runIds, runnerId]);
  return rows.map((r) => r.id);
}
