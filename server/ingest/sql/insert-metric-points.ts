import type { Sql } from "../../db/sql";
import type { MetricPointInput } from "../metric-point";

// The fast path for the common case, a batch that only appends (every step is newer than the key's
// stored lastStep): a plain INSERT. Measured on 10,000 points, ON CONFLICT's speculative insertion
// cost about three times the plain insert (30k WAL records instead of 20k, 105 ms vs 37 ms), so the
// writer takes this path when the summaries prove no point can exist yet, under the Run row lock
// that serialises the run's writers. A unique violation here (points written by something else than
// this writer) makes the writer roll back to a savepoint and use upsertMetricPoints instead.
// What is left is mostly the foreign key to Run: its per-row check measured 4.5 of the 9 µs of
// backend CPU per point (the same insert into a copy of the table without the key: 4.4 µs).
// Arrays travel as four parameters and are expanded with unnest(): one round trip and one plan for
// any batch size. The summaries are folded in by mergeMetricSummaries, from aggregates the writer
// computes.
const INSERT_METRIC_POINTS = `
INSERT INTO "MetricPoint" ("runId", "key", "step", "value", "wallTime")
SELECT $1::uuid, key, step, value, to_timestamp(wall_ms / 1000.0)
FROM unnest($2::text[], $3::int[], $4::float8[], $5::float8[]) AS t(key, step, value, wall_ms)
`;

/** Inserts points that must all be new; a stored (key, step) fails with SQLSTATE 23505. */
export async function insertMetricPoints(sql: Sql, runId: string, points: readonly MetricPointInput[]): Promise<void> {
  await sql(INSERT_METRIC_POINTS, [
    runId,
    points.map((p) => p.key),
    points.map((p) => p.step),
    points.map((p) => p.value),
    points.map((p) => p.wallTime),
  ]);
}
