import type { Sql } from "../../../db/sql";

// A run's metrics in MLflow's RunData are the latest value per key: MetricSummary holds exactly that,
// so a page of runs never reads points.
const SELECT_METRIC_SUMMARIES = `
SELECT s."runId"::text AS "runId", s."key", s."last", s."lastStep", s."lastWallTime"
  FROM "MetricSummary" s WHERE s."runId" = ANY($1::uuid[]) ORDER BY s."runId", s."key"`;

export interface MetricSummaryRow {
  runId: string;
  key: string;
  last: number;
  lastStep: number;
  lastWallTime: Date;
}

export async function selectMetricSummaries(sql: Sql, ids: readonly string[]): Promise<MetricSummaryRow[]> {
  return sql<MetricSummaryRow>(SELECT_METRIC_SUMMARIES, [ids]);
}
