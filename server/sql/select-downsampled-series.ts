import type { Sql } from "../db/sql";

// Chart series downsampled IN POSTGRES, so a long run never ships all its points to Node. It mirrors
// downsample() in server/services/downsample.ts exactly (metric-series.test.ts checks that): buckets
// of equal step width over the window's own [lo, hi]; each keeps its first and last point and its
// smallest and largest finite value (ties: earliest step). NaN and ±Infinity never win min or max.
// value and wallTime travel as text/float8 so NaN and ±Infinity survive the driver exactly.
//
// Plan, per requested run and key (LATERAL), so every read is a range scan of the primary key and no
// window function or sort runs over the rows (an older version's four row_number() sorts per point
// were most of its time):
//  1. ranges: the window's first and last step (one index descent each) and its point count capped
//     at maxPoints + 1 (enough to tell "fits whole" from "must be bucketed", without a full count).
//  2. one grouped aggregate over the series gives each bucket's first and last step (min/max) and
//     its min and max point as float8 arrays compared by min()/max(): [value, step] orders by value,
//     then the earliest step; [value, -step] by the largest value, then the earliest step. Finite
//     means |value| < Infinity (Postgres sorts NaN above Infinity, so NaN fails it too). A window of
//     at most maxPoints points has one bucket per step, so all of them come back, as in downsample().
//  3. the chosen steps (up to 4 per bucket, duplicates and all) go to ONE index scan of the series
//     with "step = ANY(array)", which returns each step once, in step order, with value and wallTime.
// With the covering primary key of migration 0002 (value and wallTime in the index) every read is
// index-only: a 5,000-step series reads ~50 contiguous index pages, not ~5,000 scattered heap pages.
// No ORDER BY: each series comes from one index scan, already by step (callers sort anyway, as row
// order without ORDER BY is not promised).
const FINITE = `abs(m."value") < 'Infinity'::float8`;
const WINDOW = `m."runId" = p."runId" AND m."key" = k."key" AND m."step" >= $3 AND m."step" <= $4`;
const SELECT_DOWNSAMPLED_SERIES = `
WITH ranges AS MATERIALIZED (
  SELECT p."runId", k."key", x.lo, x.hi, x.n
  FROM (SELECT DISTINCT unnest($1::uuid[]) AS "runId") p
  CROSS JOIN (SELECT DISTINCT unnest($2::text[]) AS "key") k
  CROSS JOIN LATERAL (
    SELECT (SELECT min(m."step") FROM "MetricPoint" m WHERE ${WINDOW}) AS lo,
           (SELECT max(m."step") FROM "MetricPoint" m WHERE ${WINDOW}) AS hi,
           (SELECT count(*) FROM (SELECT FROM "MetricPoint" m WHERE ${WINDOW} ORDER BY m."step" LIMIT $5::int + 1) t) AS n
  ) x
  WHERE x.lo IS NOT NULL
), chosen AS MATERIALIZED (
  SELECT g."runId", g."key", c.steps
  FROM ranges g
  CROSS JOIN LATERAL (
    SELECT array_agg(b.f) || array_agg(b.l)
           || array_agg(b.mn[2]::int) FILTER (WHERE b.mn IS NOT NULL)
           || array_agg((-b.mx[2])::int) FILTER (WHERE b.mx IS NOT NULL) AS steps
    FROM (
      SELECT min(m."step") AS f, max(m."step") AS l,
             min(ARRAY[m."value", m."step"]) FILTER (WHERE ${FINITE}) AS mn,
             max(ARRAY[m."value", -m."step"]) FILTER (WHERE ${FINITE}) AS mx
      FROM "MetricPoint" m
      WHERE m."runId" = g."runId" AND m."key" = g."key" AND m."step" >= g.lo AND m."step" <= g.hi
      GROUP BY CASE WHEN g.n <= $5::int THEN m."step"::bigint ELSE ((m."step" - g.lo)::bigint * $6::int) / (g.hi - g.lo + 1) END
    ) b
  ) c
)
SELECT c."runId"::text AS "runId", c."key", m."step", m."value"::text AS "value",
       (extract(epoch FROM m."wallTime") * 1000)::float8 AS "wallTime"
FROM chosen c
JOIN "MetricPoint" m ON m."runId" = c."runId" AND m."key" = c."key" AND m."step" = ANY(c.steps)
`;

export interface DownsampledPoint {
  runId: string;
  key: string;
  step: number;
  value: number;
  /** Milliseconds since the epoch. */
  wallTime: number;
}

/**
 * Every chosen point of each (run, key) pair with points in [fromStep, toStep], at most `maxPoints`
 * per pair, in no promised order.
 */
export async function selectDownsampledSeries(
  sql: Sql,
  q: { runIds: readonly string[]; keys: readonly string[]; fromStep: number; toStep: number; maxPoints: number },
): Promise<DownsampledPoint[]> {
  const rows = await sql<{ runId: string; key: string; step: number; value: string; wallTime: number }>(SELECT_DOWNSAMPLED_SERIES, [
    q.runIds,
    q.keys,
    q.fromStep,
    q.toStep,
    q.maxPoints,
    Math.floor(q.maxPoints / 4),
  ]);
  return rows.map((r) => ({ runId: r.runId, key: r.key, step: Number(r.step), value: Number(r.value), wallTime: Number(r.wallTime) }));
}
