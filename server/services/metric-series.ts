/**
 * Metric series for charts (the run page and the compare page): for each run and key, the points in
 * a step window, downsampled IN POSTGRES to at most `maxPoints` (default 1000), so a long run never
 * ships all its points to Node. The SQL (server/sql/select-downsampled-series.ts) mirrors
 * `downsample()` in downsample.ts exactly (same buckets, same first/last/min/max choice, same
 * tie-breaks); metric-series.test.ts checks that.
 * Zooming asks again with a narrower [minStep, maxStep], which is re-bucketed from the raw points.
 */
import "server-only";
import { z } from "zod";
import type { PrismaClient } from "../db/prisma";
import { viaPrisma } from "../db/sql";
import { selectDownsampledSeries } from "../sql/select-downsampled-series";
import type { SeriesPoint } from "./downsample";

export const MAX_POINTS = 1000;

/** A step window (zoom), shared by every series query: both ends optional, in order when both given. */
export const stepWindowFields = {
  minStep: z.number().int().min(0).optional(),
  maxStep: z.number().int().min(0).optional(),
};
export const stepWindowInOrder: [(v: { minStep?: number; maxStep?: number }) => boolean, { path: string[]; message: string }] = [
  (v) => v.minStep === undefined || v.maxStep === undefined || v.minStep <= v.maxStep,
  { path: ["maxStep"], message: "maxStep must not be below minStep" },
];

export const metricSeriesInputSchema = z
  .object({
    runIds: z.array(z.uuid()).min(1).max(50),
    keys: z.array(z.string().min(1).max(200)).min(1).max(50),
    ...stepWindowFields,
    maxPoints: z.number().int().min(4).max(MAX_POINTS).default(MAX_POINTS),
  })
  .refine(...stepWindowInOrder);
export type MetricSeriesInput = z.input<typeof metricSeriesInputSchema>;

export interface MetricSeries {
  runId: string;
  key: string;
  points: SeriesPoint[];
}

export async function getMetricSeries(prisma: PrismaClient, input: MetricSeriesInput): Promise<MetricSeries[]> {
  const q = metricSeriesInputSchema.parse(input);
  const rows = await selectDownsampledSeries(viaPrisma(prisma), {
    runIds: q.runIds,
    keys: q.keys,
    fromStep: q.minStep ?? 0,
    toStep: q.maxStep ?? 2 ** 31 - 1,
    maxPoints: q.maxPoints,
  });
  const byKey = new Map<string, MetricSeries>();
  // Every requested pair appears, empty when it has no points yet, in the order asked.
  for (const runId of q.runIds) for (const key of q.keys) byKey.set(`${runId}\u0000${key}`, { runId, key, points: [] });
  for (const r of rows) {
    byKey.get(`${r.runId}\u0000${r.key}`)?.points.push({ step: r.step, value: r.value, wallTime: r.wallTime });
  }
  // Row order is not promised (the SQL has no ORDER BY); sort. Cheap: at most maxPoints points per
  // series, already in step order.
  for (const s of byKey.values()) s.points.sort((a, b) => a.step - b.step);
  return [...byKey.values()];
}
