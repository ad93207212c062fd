// How a batch's aggregates fold into an existing MetricSummary row, shared by both write paths
// (UPSERT_METRIC_POINTS and MERGE_METRIC_SUMMARIES) so the two can never merge differently: the
// newest step's value and wall time win, min/max widen, count adds the batch's new points.
export const MERGE_METRIC_SUMMARY = `
ON CONFLICT ("runId", "key") DO UPDATE SET
  "last" = CASE WHEN EXCLUDED."lastStep" >= "MetricSummary"."lastStep" THEN EXCLUDED."last" ELSE "MetricSummary"."last" END,
  "lastWallTime" = CASE WHEN EXCLUDED."lastStep" >= "MetricSummary"."lastStep" THEN EXCLUDED."lastWallTime" ELSE "MetricSummary"."lastWallTime" END,
  "lastStep" = GREATEST("MetricSummary"."lastStep", EXCLUDED."lastStep"),
  "min" = LEAST("MetricSummary"."min", EXCLUDED."min"),
  "max" = GREATEST("MetricSummary"."max", EXCLUDED."max"),
  "count" = "MetricSummary"."count" + EXCLUDED."count"`;
