// The metric batch writer shared by the runner and the ingestion API. One call stores a batch of
// points of one run and keeps MetricSummary, Run.currentStep and the run's MCS current in the SAME
// transaction, so the runs table and the leaderboard never disagree with the points.
import type pg from "pg";
import { modelCollapseStep } from "../../runner/engine/metrics/mcs";
import { MCS_METRIC } from "../../runner/engine/metrics/metricNames";
import { withTransaction } from "../db/pool";
import { SELECT_METRIC_SERIES } from "./sql/selectMetricSeries";
import { SELECT_RUN_MCS_FOR_UPDATE, UPDATE_RUN_PROGRESS } from "./sql/updateRunProgress";
import { INSERT_METRIC_POINTS, MERGE_METRIC_SUMMARIES, SELECT_LAST_STEPS } from "./sql/insertMetricPoints";
import { UPSERT_METRIC_POINTS } from "./sql/upsertMetricPoints";

export interface MetricPointInput {
  key: string;
  step: number;
  /** Any double, NaN and ±Infinity included (stored as is). */
  value: number;
  /** Milliseconds since the epoch. */
  wallTime: number;
}

export interface WriteResult {
  /** Points sent after de-duplication. */
  written: number;
  /** Points that were new (not a replay of a stored (key, step)). */
  inserted: number;
}

/** Rows per statement: large enough to amortise the round trip, small enough to keep arrays cheap. */
const CHUNK = 20_000;
const DEFAULT_THRESHOLD = 0.01;
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
  const { rows: locked } = await client.query<RunMcsRow>(SELECT_RUN_MCS_FOR_UPDATE, [runId]);
  if (!locked[0]) throw new Error(`Run ${runId} does not exist`);

  const keys = [...new Set(unique.map((p) => p.key))];
  const { rows: lasts } = await client.query<{ key: string; lastStep: number }>(SELECT_LAST_STEPS, [runId, keys]);
  const lastStep = new Map(lasts.map((r) => [r.key, r.lastStep]));
  const appendOnly = unique.every((p) => p.step > (lastStep.get(p.key) ?? -1));
  let result: WriteResult & { maxStep: number } | null = null;
  if (appendOnly) {
    await client.query("SAVEPOINT urlvr_append");
    try {
      result = await appendPoints(client, runId, unique);
      await client.query("RELEASE SAVEPOINT urlvr_append");
    } catch (thrown) {
      if ((thrown as { code?: string }).code !== "23505") throw thrown;
      await client.query("ROLLBACK TO SAVEPOINT urlvr_append");
    }
  }
  result ??= await upsertPoints(client, runId, unique);

  const mcsPoints = unique.filter((p) => p.key === MCS_METRIC);
  const mcs = mcsPoints.length ? await updatedCollapseStep(client, runId, locked[0], mcsPoints) : null;
  await client.query(UPDATE_RUN_PROGRESS, [runId, result.maxStep, mcs !== null, mcs?.step ?? null, mcs?.censored ?? null]);
  return { written: result.written, inserted: result.inserted };
}

interface RunMcsRow {
  threshold: unknown;
  mcsStep: number | null;
  mcsCensored: boolean | null;
}

function columns(chunk: readonly MetricPointInput[]) {
  return [chunk.map((p) => p.key), chunk.map((p) => p.step), chunk.map((p) => p.value), chunk.map((p) => p.wallTime)];
}

/** Plain INSERT plus summaries aggregated here: every point is new. */
async function appendPoints(client: pg.ClientBase, runId: string, points: readonly MetricPointInput[]) {
  for (let i = 0; i < points.length; i += CHUNK) {
    await client.query(INSERT_METRIC_POINTS, [runId, ...columns(points.slice(i, i + CHUNK))]);
  }
  const agg = new Map<string, { last: number; lastStep: number; min: number | null; max: number | null; count: number; wall: number }>();
  let maxStep = -1;
  for (const p of points) {
    maxStep = Math.max(maxStep, p.step);
    let a = agg.get(p.key);
    if (!a) agg.set(p.key, (a = { last: p.value, lastStep: p.step, min: null, max: null, count: 0, wall: p.wallTime }));
    a.count++;
    if (p.step >= a.lastStep) Object.assign(a, { last: p.value, lastStep: p.step, wall: p.wallTime });
    if (Number.isFinite(p.value)) {
      a.min = a.min === null ? p.value : Math.min(a.min, p.value);
      a.max = a.max === null ? p.value : Math.max(a.max, p.value);
    }
  }
  const rows = [...agg];
  await client.query(MERGE_METRIC_SUMMARIES, [
    runId,
    rows.map(([k]) => k),
    rows.map(([, a]) => a.last),
    rows.map(([, a]) => a.lastStep),
    rows.map(([, a]) => a.min),
    rows.map(([, a]) => a.max),
    rows.map(([, a]) => a.count),
    rows.map(([, a]) => a.wall),
  ]);
  return { written: points.length, inserted: points.length, maxStep };
}

/** ON CONFLICT upsert with the summary folded in by SQL: some points may exist already. */
async function upsertPoints(client: pg.ClientBase, runId: string, points: readonly MetricPointInput[]) {
  let written = 0;
  let inserted = 0;
  let maxStep = -1;
  for (let i = 0; i < points.length; i += CHUNK) {
    const { rows } = await client.query<{ written: number; inserted: number; max_step: number | null }>(UPSERT_METRIC_POINTS, [
      runId,
      ...columns(points.slice(i, i + CHUNK)),
    ]);
    written += rows[0]!.written;
    inserted += rows[0]!.inserted;
    maxStep = Math.max(maxStep, rows[0]!.max_step ?? -1);
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
  client: pg.ClientBase,
  runId: string,
  run: RunMcsRow,
  batch: readonly MetricPointInput[],
): Promise<{ step: number; censored: boolean }> {
  const threshold = typeof run?.threshold === "number" ? run.threshold : DEFAULT_THRESHOLD;
  let firstNew = Infinity;
  for (const p of batch) firstNew = Math.min(firstNew, p.step);
  if (run && run.mcsStep !== null && run.mcsCensored !== null && firstNew > run.mcsStep) {
    if (!run.mcsCensored) return { step: run.mcsStep, censored: false };
    const fromBatch = modelCollapseStep(batch, threshold);
    return fromBatch.censored ? { step: Math.max(run.mcsStep, fromBatch.step), censored: true } : fromBatch;
  }
  const { rows: series } = await client.query<{ step: number; value: number }>(SELECT_METRIC_SERIES, [runId, MCS_METRIC]);
  return modelCollapseStep(series, threshold);
}

/** Stores one run's batch in its own transaction. Throws on any failure; nothing is half-written. */
export async function writeMetricBatch(
  pool: pg.Pool,
  runId: string,
  points: readonly MetricPointInput[],
): Promise<WriteResult> {
  return withTransaction(pool, (client) => storeMetrics(client, runId, points));
}
