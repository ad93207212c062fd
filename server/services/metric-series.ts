/**
 * Metric series for charts (the run page and the compare page): for each run and key, the points in
 * a step window, downsampled IN POSTGRES to at most `maxPoints` (default 1000), so a long run never
 * ships all its points to Node. The SQL mirrors `downsample()` in downsample.ts exactly (same
 * buckets, same first/last/min/max choice, same tie-breaks); metric-series.test.ts checks that.
 * Zooming asks again with a narrower [minStep, maxStep], which is re-bucketed from the raw points.
 */
import "server-only";
import { z } from "zod";
import type { PrismaClient } from "../db/prisma";
import type { SeriesPoint } from "./downsample";

export const MAX_POINTS = 1000;

export const metricSeriesInputSchema = z
  .object({
    runIds: z.array(z.uuid()).min(1).max(50),
    keys: z.array(z.string().min(1).max(200)).min(1).max(50),
    minStep: z.number().int().min(0).optional(),
    maxStep: z.number().int().min(0).optional(),
    maxPoints: z.number().int().min(4).max(MAX_POINTS).default(MAX_POINTS),
  })
  .refine((v) => v.minStep === undefined || v.maxStep === undefined || v.minStep <= v.maxStep, {
    path: ["maxStep"],
    message: "maxStep must not be below minStep",
  });
export type MetricSeriesInput = z.input<typeof metricSeriesInputSchema>;

export interface MetricSeries {
  runId: string;
  key: string;
  points: SeriesPoint[];
}

// Buckets of equal step width over the window's own [lo, hi]; each keeps its first and last point
// and its smallest and largest finite value (ties: earliest step). NaN and ±Infinity are mapped to
// NULL for min/max so they never win (Postgres sorts NaN above every number). value and wallTime
// travel as text/float8 so NaN and ±Infinity survive the driver exactly.
const SELECT_DOWNSAMPLED_SERIES = `
WITH pts AS (
  SELECT "runId", "key", "step", "value", "wallTime",
         CASE WHEN "value" IN ('NaN'::float8, 'Infinity'::float8, '-Infinity'::float8) THEN NULL ELSE "value" END AS fv
  FROM "MetricPoint"
  WHERE "runId" = ANY($1::uuid[]) AND "key" = ANY($2::text[]) AND "step" >= $3 AND "step" <= $4
), ranged AS (
  SELECT *, count(*) OVER w AS n, min("step") OVER w AS lo, max("step") OVER w AS hi
  FROM pts WINDOW w AS (PARTITION BY "runId", "key")
), bucketed AS (
  SELECT *, CASE WHEN n <= $5 THEN "step"::bigint ELSE (("step" - lo)::bigint * $6) / (hi - lo + 1) END AS bucket
  FROM ranged
), ranked AS (
  SELECT *,
    row_number() OVER (PARTITION BY "runId", "key", bucket ORDER BY "step") AS r_first,
    row_number() OVER (PARTITION BY "runId", "key", bucket ORDER BY "step" DESC) AS r_last,
    row_number() OVER (PARTITION BY "runId", "key", bucket ORDER BY fv ASC NULLS LAST, "step") AS r_min,
    row_number() OVER (PARTITION BY "runId", "key", bucket ORDER BY fv DESC NULLS LAST, "step") AS r_max
  FROM bucketed
)
SELECT "runId"::text AS "runId", "key", "step", "value"::text AS "value",
       (extract(epoch FROM "wallTime") * 1000)::float8 AS "wallTime"
FROM ranked
WHERE r_first = 1 OR r_last = 1 OR (fv IS NOT NULL AND (r_min = 1 OR r_max = 1))
ORDER BY "runId", "key", "step"
`;

export async function getMetricSeries(prisma: PrismaClient, input: MetricSeriesInput): Promise<MetricSeries[]> {
  const q = metricSeriesInputSchema.parse(input);
  const rows = await prisma.$queryRawUnsafe<Array<{ runId: string; key: string; step: number; value: string; wallTime: number }>>(
    SELECT_DOWNSAMPLED_SERIES,
    q.runIds,
    q.keys,
    q.minStep ?? 0,
    q.maxStep ?? 2 ** 31 - 1,
    q.maxPoints,
    Math.floor(q.maxPoints / 4),
  );
  const byKey = new Map<string, MetricSeries>();
  // Every requested pair appears, empty when it has no points yet, in the order asked.
  for (const runId of q.runIds) for (const key of q.keys) byKey.set(`${runId}\u0000${key}`, { runId, key, points: [] });
  for (const r of rows) {
    byKey.get(`${r.runId}\u0000${r.key}`)?.points.push({ step: Number(r.step), value: Number(r.value), wallTime: Number(r.wallTime) });
  }
  return [...byKey.values()];
}
