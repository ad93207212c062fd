import type { Sql } from "../db/sql";

// The common step range of the runs' points of one metric inside a window, which the grouped compare
// cuts into equal-width buckets. Read by its own query: as a CTE joined into the bucket query, the
// planner re-ran this aggregate per point. Both ends come from the primary key (runId, key, step).
const SELECT_STEP_RANGE = `
SELECT min("step")::int AS lo, max("step")::int AS hi FROM "MetricPoint"
WHERE "runId" = ANY($1::uuid[]) AND "key" = $2 AND "step" BETWEEN $3 AND $4
`;

/** First and last step; both null when no run has a point of the key in the window. */
export interface StepRange {
  lo: number | null;
  hi: number | null;
}

export async function selectStepRange(sql: Sql, runIds: readonly string[], key: string, fromStep: number, toStep: number): Promise<StepRange> {
  const [range] = await sql<StepRange>(SELECT_STEP_RANGE, [runIds, key, fromStep, toStep]);
  return range ?? { lo: null, hi: null };
}
