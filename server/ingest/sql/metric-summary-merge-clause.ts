// Not a statement: the ON CONFLICT clause that both summary writes end with (upsertMetricPoints and
// mergeMetricSummaries), kept in one place so the two paths can never merge differently: the newest
// step's value and wall time win, min/max widen, count adds the batch's new points. It is the one
// piece of SQL text exported from this folder, for those two statement files only.
export const METRIC_SUMMARY_MERGE_CLAUSE = `
ON CONFLICT ("runId", "key") DO UPDATE SET
  "last" = CASE WHEN EXCLUDED."lastStep" >= "MetricSummary"."lastStep" THEN EXCLUDED."last" ELSE "MetricSummary"."last" END,
  "lastWallTime" = CASE WHEN EXCLUDED."lastStep" >= "MetricSummary"."lastStep" THEN EXCLUDED."lastWallTime" ELSE "MetricSummary"."lastWallTime" END,
  "lastStep" = GREATEST("MetricSummary"."lastStep", EXCLUDED."lastStep"),
  "min" = LEAST("MetricSummary"."min", EXCLUDED."min"),
  "max" = GREATEST("MetricSummary"."max", EXCLUDED."max"),
  "count" = "MetricSummary"."count" + EXCLUDED."count"`;
