// The metric batch writer shared by the runner and the ingestion API. One call stores a batch of
// points of one run and keeps MetricSummary, Run.currentStep and the run's MCS current in the SAME
// transaction, so the runs table and the leaderboard never disagree with the points.
import type pg from "pg";
import { MCS_THRESHOLD, modelCollapseStep } from "../../runner/engine/metrics/mcs";
import { MCS_METRIC } from "../../runner/engine/metrics/metric-names";
import { withTransaction } from "../db/pool";
import { viaPg, type Sql } from "../db/sql";
import { insertMetricPoints } from "./sql/insert-metric-points";
import { mergeMetricSummaries, type MetricSummaryDelta } from "./sql/merge-metric-summaries";
import { selectLastSteps } from "./sql/select-last-steps";
import { selectMetricSeries } from "./sql/select-metric-series";
import { selectRunMcsForUpdate, type RunMcs } from "./sql/select-run-mcs-for-update";
import { updateRunProgress } from "./sql/update-run-progress";
import { upsertMetricPoints } from "./sql/upsert-metric-points";
import type { MetricPointInput } from "./metric-point";

export type { MetricPointInput } from "./metric-point";

export interface WriteResult {
  /** Points sent after de-duplication. */
  written: number;
  /** Points that were new (not a replay of a stored (key, step)). */
  inserted: number;
}

/** Rows per statement: large enough to amortise the round trip, small enough to keep arrays cheap. */
const CHUNK = 20_000;
const INT32_MAX = 2 ** 31 - 1;

/** Keeps the last point of each (key, step): one INSERT may not touch the same row twice. */
export function dedupePoints(points: readonly MetricPointInput[]): MetricPointInput[] {
  const byId = new Map<string, MetricPointInput>();
  for (const p of points) byId.set(`${p.step}\u0000${p.key}`, p);
  return byId.size === points.length ? [...points] : [...byId.values()];
}

function assertPoint(p: MetricPointInput): void {
  if (typeof p.key !== "string" || p.key.length === 0 || p.key.length > 250) {
    throw new TypeError(`metric key must be a string of 1 to 250 characters (got ${JSON.stringify(p.key)})`);
  }
  if (!Number.isInteger(p.step) || p.step < 0 || p.step > INT32_MAX) {
    throw new TypeError(`metric step must be an integer from 0 to ${INT32_MAX} (got ${p.step} for ${p.key})`);
  }
  if (typeof p.value !== "number") throw new TypeError(`metric value must be a number (got ${typeof p.value} for ${p.key})`);
  if (!Number.isFinite(p.wallTime)) throw new TypeError(`metric wallTime must be finite milliseconds (got ${p.wallTime})`);
}

/**
 * Stores points with a client that is already inside a transaction (the caller commits). Used by the
 * HTTP API, which writes params, tags and metrics of one request atomically. Locks the Run row, so
 * the writers of one run take turns (and a run that does not exist fails here, before any write).
 */
export async function storeMetrics(
  client: pg.ClientBase,
  runId: string,
  points: readonly MetricPointInput[],
): Promise<WriteResult> {
  const unique = dedupePoints(points);
  if (unique.length === 0) return { written: 0, inserted: 0 };
  for (const p of unique) assertPoint(p);
  const sql = viaPg(client);
  const locked = await selectRunMcsForUpdate(sql, runId);
  if (!locked) throw new Error(`Run ${runId} does not exist`);

  const lastStep = await selectLastSteps(sql, runId, [...new Set(unique.map((p) => p.key))]);
  const appendOnly = unique.every((p) => p.step > (lastStep.get(p.key) ?? -1));
  let result: WriteResult & { maxStep: number } | null = null;
  if (appendOnly) {
    // Transaction control, like withTransaction's BEGIN/COMMIT: not a statement of the data model.
    await client.query("SAVEPOINT urlvr_append");
    try {
      result = await appendPoints(sql, runId, unique);
      await client.query("RELEASE SAVEPOINT urlvr_append");
    } catch (thrown) {
      if ((thrown as { code?: string }).code !== "23505") throw thrown;
      await client.query("ROLLBACK TO SAVEPOINT urlvr_append");
    }
  }
  result ??= await upsertPoints(sql, runId, unique);

  const mcsPoints = unique.filter((p) => p.key === MCS_METRIC);
  const mcs = mcsPoints.length ? await updatedCollapseStep(sql, runId, locked, mcsPoints) : null;
  await updateRunProgress(sql, runId, { maxStep: result.maxStep, mcs });
  return { written: result.written, inserted: result.inserted };
}

/** Plain INSERT plus summaries aggregated here: every point is new. */
async function appendPoints(sql: Sql, runId: string, points: readonly MetricPointInput[]) {
  for (let i = 0; i < points.length; i += CHUNK) {
    await insertMetricPoints(sql, runId, points.slice(i, i + CHUNK));
  }
  const agg = new Map<string, MetricSummaryDelta>();
  let maxStep = -1;
  for (const p of points) {
    maxStep = Math.max(maxStep, p.step);
    let a = agg.get(p.key);
    if (!a) agg.set(p.key, (a = { key: p.key, last: p.value, lastStep: p.step, min: null, max: null, count: 0, lastWallTime: p.wallTime }));
    a.count++;
    if (p.step >= a.lastStep) Object.assign(a, { last: p.value, lastStep: p.step, lastWallTime: p.wallTime });
    if (Number.isFinite(p.value)) {
      a.min = a.min === null ? p.value : Math.min(a.min, p.value);
      a.max = a.max === null ? p.value : Math.max(a.max, p.value);
    }
  }
  await mergeMetricSummaries(sql, runId, [...agg.values()]);
  return { written: points.length, inserted: points.length, maxStep };
}

/** ON CONFLICT upsert with the summary folded in by SQL: some points may exist already. */
async function upsertPoints(sql: Sql, runId: string, points: readonly MetricPointInput[]) {
  let written = 0;
  let inserted = 0;
  let maxStep = -1;
  for (let i = 0; i < points.length; i += CHUNK) {
    const chunk = await upsertMetricPoints(sql, runId, points.slice(i, i + CHUNK));
    written += chunk.written;
    inserted += chunk.inserted;
    maxStep = Math.max(maxStep, chunk.maxStep ?? -1);
  }
  return { written, inserted, maxStep };
}

/**
 * The run's MCS after this batch, by the engine's modelCollapseStep. MCS is the FIRST step below the
 * threshold, so when every new point lies after the steps already judged, the stored points need
 * not be read again (re-reading the whole series on every batch made long runs quadratic):
 * - already collapsed at S, new steps all > S: unchanged;
 * - censored at S (nothing below the threshold up to S), new steps all > S: the batch alone decides,
 *   and if it does not collapse either, the run stays censored at its last step.
 * Anything else (a late or replayed step at or before S, or no MCS yet) reads the full series.
 * The caller holds the Run row lock, so concurrent writers of one run apply these rules one at a time.
 */
async function updatedCollapseStep(
  sql: Sql,
  runId: string,
  run: RunMcs,
  batch: readonly MetricPointInput[],
): Promise<{ step: number; censored: boolean }> {
  const threshold = run.threshold ?? MCS_THRESHOLD;
  let firstNew = Infinity;
  for (const p of batch) firstNew = Math.min(firstNew, p.step);
  if (run.mcsStep !== null && run.mcsCensored !== null && firstNew > run.mcsStep) {
    if (!run.mcsCensored) return { step: run.mcsStep, censored: false };
    const fromBatch = modelCollapseStep(batch, threshold);
    return fromBatch.censored ? { step: Math.max(run.mcsStep, fromBatch.step), censored: true } : fromBatch;
  }
  return modelCollapseStep(await selectMetricSeries(sql, runId, MCS_METRIC), threshold);
}

/** Stores one run's batch in its own transaction. Throws on any failure; nothing is half-written. */
export async function writeMetricBatch(
  pool: pg.Pool,
  runId: string,
  points: readonly MetricPointInput[],
): Promise<WriteResult> {
  return withTransaction(pool, (client) => storeMetrics(client, runId, points));
}
