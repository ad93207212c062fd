// Compare: up to 20 runs overlaid for one metric, either one line per run (downsampled in Postgres
// by metric-series.ts) or grouped by base model or reward method as the mean of the group's runs
// with a min-max band.
//
// Grouping needs the runs' values at the SAME steps, which downsampled series do not give (each run
// keeps its own extreme points). So groups are computed from aligned buckets instead: the steps of
// all chosen runs are cut into at most `maxPoints` equal-width buckets over their common range,
// each run contributes the mean of its finite values in a bucket, and the group's mean, min and max
// are taken over its runs in that bucket. NaN and ±Infinity are left out (they would poison the
// mean); a bucket where a run has no finite value does not count that run (n says how many did).
import "server-only";
import { z } from "zod";
import type { PrismaClient } from "../db/prisma";
import { viaPrisma } from "../db/sql";
import { selectBucketMeans } from "../sql/select-bucket-means";
import { selectStepRange } from "../sql/select-step-range";
import { getMetricSeries, MAX_POINTS, stepWindowFields, stepWindowInOrder, type MetricSeries } from "./metric-series";

export const MAX_COMPARE_RUNS = 20;
export const GROUP_BY = ["run", "model", "method"] as const;
export type GroupBy = (typeof GROUP_BY)[number];

export const compareRunsInput = z.object({
  runIds: z
    .array(z.uuid("each run id must be a UUID").transform((id) => id.toLowerCase()))
    .min(1, "Choose at least one run")
    .max(MAX_COMPARE_RUNS, `Compare at most ${MAX_COMPARE_RUNS} runs`),
});

export const compareSeriesInput = compareRunsInput
  .extend({
    key: z.string().min(1).max(250),
    groupBy: z.enum(GROUP_BY).default("run"),
    maxPoints: z.number().int().min(10).max(MAX_POINTS).default(MAX_POINTS),
    /** A step window (zoom): re-bucketed from the raw points, so zooming in shows more detail. */
    ...stepWindowFields,
  })
  .refine(...stepWindowInOrder);
export type CompareSeriesInput = z.input<typeof compareSeriesInput>;

export interface CompareRun {
  id: string;
  model: string;
  rewardMethod: string;
  seed: number;
  datasetSize: number;
  status: string;
  mcsStep: number | null;
  mcsCensored: boolean | null;
}

export interface GroupPoint {
  step: number;
  mean: number;
  min: number;
  max: number;
  n: number;
}

export interface CompareGroup {
  label: string;
  runIds: string[];
  points: GroupPoint[];
}

/** The chosen runs (in the order asked, unknown ids dropped) and the metric keys they have. */
export async function getCompareRuns(prisma: PrismaClient, input: z.input<typeof compareRunsInput>) {
  const { runIds } = compareRunsInput.parse(input);
  const [runs, keys] = await Promise.all([
    prisma.run.findMany({
      where: { id: { in: runIds } },
      select: {
        id: true, rewardMethod: true, seed: true, datasetSize: true, status: true, mcsStep: true, mcsCensored: true,
        baseModel: { select: { name: true } },
      },
    }),
    prisma.metricSummary.findMany({ where: { runId: { in: runIds } }, select: { key: true }, distinct: ["key"], orderBy: { key: "asc" } }),
  ]);
  const byId = new Map(runs.map((r) => [r.id, r]));
  const ordered: CompareRun[] = runIds.flatMap((id) => {
    const r = byId.get(id);
    return r ? [{ id: r.id, model: r.baseModel.name, rewardMethod: r.rewardMethod, seed: r.seed, datasetSize: r.datasetSize, status: r.status, mcsStep: r.mcsStep, mcsCensored: r.mcsCensored }] : [];
  });
  return { runs: ordered, keys: keys.map((k) => k.key) };
}

/** Recent runs to pick from when /compare is opened without runs. */
export async function listComparableRuns(prisma: PrismaClient, take = 100): Promise<CompareRun[]> {
  const runs = await prisma.run.findMany({
    where: { summaries: { some: {} }, deletedAt: null },
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
    take,
    select: {
      id: true, rewardMethod: true, seed: true, datasetSize: true, status: true, mcsStep: true, mcsCensored: true,
      baseModel: { select: { name: true } },
    },
  });
  return runs.map(({ baseModel, ...r }) => ({ ...r, model: baseModel.name }));
}

/** Pure: the group mean / min / max per bucket step from per-run bucket means. */
export function aggregateGroups(
  rows: ReadonlyArray<{ runId: string; step: number; value: number }>,
  groupOf: ReadonlyMap<string, string>,
): CompareGroup[] {
  const groups = new Map<string, { runIds: Set<string>; byStep: Map<number, number[]> }>();
  for (const [runId, label] of groupOf) {
    if (!groups.has(label)) groups.set(label, { runIds: new Set(), byStep: new Map() });
    groups.get(label)!.runIds.add(runId);
  }
  for (const r of rows) {
    const g = groups.get(groupOf.get(r.runId) ?? "");
    if (!g) continue;
    const list = g.byStep.get(r.step) ?? [];
    list.push(r.value);
    g.byStep.set(r.step, list);
  }
  return [...groups.entries()].map(([label, g]) => ({
    label,
    runIds: [...g.runIds],
    points: [...g.byStep.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([step, vs]) => ({ step, mean: vs.reduce((a, b) => a + b, 0) / vs.length, min: Math.min(...vs), max: Math.max(...vs), n: vs.length })),
  }));
}

export async function getCompareSeries(
  prisma: PrismaClient,
  input: CompareSeriesInput,
): Promise<{ runs: CompareRun[]; series: MetricSeries[]; groups: CompareGroup[] }> {
  const q = compareSeriesInput.parse(input);
  if (q.groupBy === "run") {
    // The lines need no run metadata: read them beside the runs (one round trip less), then keep
    // the known runs' lines in the runs' order (unknown ids are dropped, as from `runs`).
    const [{ runs }, all] = await Promise.all([
      getCompareRuns(prisma, { runIds: q.runIds }),
      getMetricSeries(prisma, { runIds: q.runIds, keys: [q.key], maxPoints: q.maxPoints, minStep: q.minStep, maxStep: q.maxStep }),
    ]);
    const byRun = new Map(all.map((s) => [s.runId, s]));
    const series = [...new Set(runs.map((r) => r.id))].flatMap((id) => byRun.get(id) ?? []);
    return { runs, series, groups: [] };
  }
  const { runs } = await getCompareRuns(prisma, { runIds: q.runIds });
  const ids = runs.map((r) => r.id);
  if (ids.length === 0) return { runs, series: [], groups: [] };
  const from = q.minStep ?? 0;
  const to = q.maxStep ?? 2 ** 31 - 1;
  // Buckets of equal width over the runs' common range in the window, width 1 when it fits maxPoints.
  const sql = viaPrisma(prisma);
  const range = await selectStepRange(sql, ids, q.key, from, to);
  const lo = range.lo ?? 0;
  const width = Math.max(1, Math.ceil(((range.hi ?? 0) - lo + 1) / q.maxPoints));
  const rows = range.lo === null ? [] : await selectBucketMeans(sql, ids, q.key, { width, fromStep: lo, toStep: to });
  const groupOf = new Map(runs.map((r) => [r.id, q.groupBy === "model" ? r.model : r.rewardMethod]));
  return { runs, series: [], groups: aggregateGroups(rows, groupOf) };
}
