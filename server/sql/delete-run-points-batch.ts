import type { Sql } from "../db/sql";

// One batch of a purged run's points: at most $2 rows per statement, picked by ctid from the run's
// primary-key range, so no statement (nor its WAL and row locks) grows with the run's size and
// writers to other runs never wait on it. The deleted rows are counted in SQL (RETURNING inside a CTE)
// so one number comes back, not one row per point.
const DELETE_RUN_POINTS_BATCH = `
WITH gone AS (
  DELETE FROM "MetricPoint" WHERE ctid = ANY(ARRAY(SELECT ctid FROM "MetricPoint" WHERE "runId" = $1::uuid LIMIT $2))
  RETURNING 1
)
SELECT count(*)::int AS n FROM gone`;

/** How many points went; 0 when the run has none left. */
export async function deleteRunPointsBatch(sql: Sql, runId: string, limit: number): Promise<number> {
  const [row] = await sql<{ n: number }>(DELETE_RUN_POINTS_BATCH, [runId, limit]);
  return row?.n ?? 0;
}
