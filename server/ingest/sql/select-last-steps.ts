import type { Sql } from "../../db/sql";

// The writer's test for the append path: a batch whose every step is newer than its key's stored
// lastStep cannot collide with a stored point. Read from MetricSummary, one row per key, so the test
// never scans points.
const SELECT_LAST_STEPS = `
SELECT "key", "lastStep" FROM "MetricSummary" WHERE "runId" = $1::uuid AND "key" = ANY($2::text[])
`;

/** The newest stored step of each of these keys of the run; keys with no points are absent. */
export async function selectLastSteps(sql: Sql, runId: string, keys: readonly string[]): Promise<Map<string, number>> {
  const rows = await sql<{ key: string; lastStep: number }>(SELECT_LAST_STEPS, [runId, keys]);
  return new Map(rows.map((r) => [r.key, r.lastStep]));
}
