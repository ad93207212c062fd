import type pg from "pg";

// One page of a run's points for the metrics CSV, by keyset pagination on the primary key
// (runId, key, step): each page is one index range scan after the last row of the page before, so
// an export of any size holds one page in memory and never re-reads skipped rows (OFFSET would).
// With a key, the range is that key's steps; without, every key in (key, step) order.
//
// The one statement here that takes a pg pool or client instead of an `Sql`: it asks pg for
// `rowMode: "array"`, which an `Sql` cannot carry. Exports stream tens of thousands of rows per
// second and the cells go straight into CSV by position, so building an object per row (and a
// property lookup per cell) would be pure overhead on the hottest loop of the download.
const SELECT_KEY_POINTS_PAGE = `
SELECT "key", "step", "value", "wallTime" FROM "MetricPoint"
 WHERE "runId" = $1::uuid AND "key" = $2 AND "step" > $3 ORDER BY "step" LIMIT $4`;
const SELECT_POINTS_PAGE = `
SELECT "key", "step", "value", "wallTime" FROM "MetricPoint"
 WHERE "runId" = $1::uuid AND ("key", "step") > ($2, $3) ORDER BY "key", "step" LIMIT $4`;

/** key, step, value, wall time: the order the CSV writes them in. */
export type MetricPointCells = [key: string, step: number, value: number, wallTime: Date];

/**
 * The next `pageSize` points of the run after (after.key, after.step); only `key`'s points when given
 * (after.key is then that key). Start with step -1.
 */
export async function selectMetricPointsPage(
  db: pg.Pool | pg.ClientBase,
  runId: string,
  after: { key: string; step: number },
  pageSize: number,
  key?: string,
): Promise<MetricPointCells[]> {
  const { rows } = await db.query<MetricPointCells>({
    text: key ? SELECT_KEY_POINTS_PAGE : SELECT_POINTS_PAGE,
    values: [runId, key ?? after.key, after.step, pageSize],
    rowMode: "array",
  });
  return rows;
}
