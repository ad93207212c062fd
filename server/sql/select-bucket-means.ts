import type { Sql } from "../db/sql";

// Per run and bucket, the mean of the run's finite values: buckets of equal width from the runs'
// common first step (select-step-range.ts), so every run of a compare group has its values at the
// SAME steps and the group's mean / min / max can be taken per bucket. NaN and ±Infinity are left out
// here, as they would poison the mean. Width 1 when the range fits the points asked for, so steps are
// exact then.
const SELECT_BUCKET_MEANS = `
SELECT "runId"::text AS "runId", ($4::int + (("step" - $4::int) / $3::int) * $3::int) AS "step", avg("value")::float8 AS "value"
FROM "MetricPoint"
WHERE "runId" = ANY($1::uuid[]) AND "key" = $2 AND "step" BETWEEN $4 AND $5
  AND "value" NOT IN ('NaN'::float8, 'Infinity'::float8, '-Infinity'::float8)
GROUP BY 1, 2
ORDER BY 2
`;

export interface BucketMean {
  runId: string;
  /** The bucket's first step. */
  step: number;
  value: number;
}

export async function selectBucketMeans(
  sql: Sql,
  runIds: readonly string[],
  key: string,
  buckets: { width: number; fromStep: number; toStep: number },
): Promise<BucketMean[]> {
  const rows = await sql<BucketMean>(SELECT_BUCKET_MEANS, [runIds, key, buckets.width, buckets.fromStep, buckets.toStep]);
  return rows.map((r) => ({ runId: r.runId, step: Number(r.step), value: Number(r.value) }));
}
