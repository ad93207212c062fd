import type { Sql } from "../../db/sql";
import { METRIC_SUMMARY_MERGE_CLAUSE } from "./metric-summary-merge-clause";

// The append path's summary write: the writer aggregates the batch per key in memory (it holds every
// point already, and the points were inserted without RETURNING), so one unnest() INSERT folds all
// keys in with the merge rule upsertMetricPoints uses too.
const MERGE_METRIC_SUMMARIES = `
INSERT INTO "MetricSummary" ("runId", "key", "last", "lastStep", "min", "max", "count", "lastWallTime")
SELECT $1::uuid, key, last, last_step, mn, mx, n, to_timestamp(wall_ms / 1000.0)
FROM unnest($2::text[], $3::float8[], $4::int[], $5::float8[], $6::float8[], $7::int[], $8::float8[])
  AS t(key, last, last_step, mn, mx, n, wall_ms)
${METRIC_SUMMARY_MERGE_CLAUSE}
`;

/** A batch's aggregate of one key. */
export interface MetricSummaryDelta {
  key: string;
  /** Value and wall time (ms) of the batch's newest step of the key. */
  last: number;
  lastStep: number;
  lastWallTime: number;
  /** Over finite values only; null when the batch has none. */
  min: number | null;
  max: number | null;
  /** New points of the key in the batch. */
  count: number;
}

/** Folds per-key aggregates computed by the writer into MetricSummary. */
export async function mergeMetricSummaries(sql: Sql, runId: string, deltas: readonly MetricSummaryDelta[]): Promise<void> {
  await sql(MERGE_METRIC_SUMMARIES, [
    runId,
    deltas.map((d) => d.key),
    deltas.map((d) => d.last),
    deltas.map((d) => d.lastStep),
    deltas.map((d) => d.min),
    deltas.map((d) => d.max),
    deltas.map((d) => d.count),
    deltas.map((d) => d.lastWallTime),
  ]);
}
