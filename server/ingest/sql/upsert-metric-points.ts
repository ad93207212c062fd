import type { Sql } from "../../db/sql";
import type { MetricPointInput } from "../metric-point";
import { METRIC_SUMMARY_MERGE_CLAUSE } from "./metric-summary-merge-clause";

// Upserts a batch of metric points and folds it into MetricSummary, in ONE statement so the points
// and their summary can never disagree. Arrays travel as four parameters and are expanded with
// unnest(): one round trip and one plan for any batch size (bench: bench/ingest.ts).
//
// - ON CONFLICT (runId, key, step) DO UPDATE makes a retry or a resumed run's replay idempotent (last
//   write wins; replays of a deterministic run write the same value).
// - `xmax = 0` is true only for rows this statement inserted, so `count` grows by new points only.
// - min/max skip NaN and ±Infinity (Postgres compares NaN as larger than every number, so it would
//   poison max otherwise); LEAST/GREATEST ignore NULL, so a summary with no finite value stays NULL.
// - The caller must send each (key, step) once: one INSERT cannot touch the same row twice.
const UPSERT_METRIC_POINTS = `
WITH input AS (
  SELECT * FROM unnest($2::text[], $3::int[], $4::float8[], $5::float8[]) AS t(key, step, value, wall_ms)
), upserted AS (
  INSERT INTO "MetricPoint" ("runId", "key", "step", "value", "wallTime")
  SELECT $1::uuid, key, step, value, to_timestamp(wall_ms / 1000.0) FROM input
  ON CONFLICT ("runId", "key", "step") DO UPDATE SET "value" = EXCLUDED."value", "wallTime" = EXCLUDED."wallTime"
  RETURNING "key", "step", "value", "wallTime", (xmax = 0) AS inserted
), per_key AS (
  SELECT "key",
         count(*) FILTER (WHERE inserted) AS added,
         min("value") FILTER (WHERE "value" NOT IN ('NaN', 'Infinity', '-Infinity')) AS mn,
         max("value") FILTER (WHERE "value" NOT IN ('NaN', 'Infinity', '-Infinity')) AS mx
  FROM upserted GROUP BY "key"
), last_point AS (
  SELECT DISTINCT ON ("key") "key", "step", "value", "wallTime" FROM upserted ORDER BY "key", "step" DESC
), summary AS (
  INSERT INTO "MetricSummary" ("runId", "key", "last", "lastStep", "min", "max", "count", "lastWallTime")
  SELECT $1::uuid, k."key", l."value", l."step", k.mn, k.mx, k.added, l."wallTime"
  FROM per_key k JOIN last_point l USING ("key")
${METRIC_SUMMARY_MERGE_CLAUSE}
  RETURNING 1
)
SELECT (SELECT count(*) FROM upserted)::int AS written,
       (SELECT count(*) FROM upserted WHERE inserted)::int AS inserted,
       (SELECT max("step") FROM upserted)::int AS max_step,
       (SELECT count(*) FROM summary)::int AS summaries
`;

export interface UpsertResult {
  /** Points sent. */
  written: number;
  /** Points that were new (not a replay of a stored (key, step)). */
  inserted: number;
  /** The batch's newest step; null for an empty batch. */
  maxStep: number | null;
}

/** Upserts points (each (key, step) once) and their summaries; some points may exist already. */
export async function upsertMetricPoints(sql: Sql, runId: string, points: readonly MetricPointInput[]): Promise<UpsertResult> {
  const [row] = await sql<{ written: number; inserted: number; max_step: number | null }>(UPSERT_METRIC_POINTS, [
    runId,
    points.map((p) => p.key),
    points.map((p) => p.step),
    points.map((p) => p.value),
    points.map((p) => p.wallTime),
  ]);
  return { written: row!.written, inserted: row!.inserted, maxStep: row!.max_step };
}
