import type { Sql } from "../../db/sql";

// One metric's full series of a run, in step order: MCS needs the first crossing, so the writer reads
// it when a batch reaches back before the steps already judged.
const SELECT_METRIC_SERIES = `
SELECT "step", "value" FROM "MetricPoint" WHERE "runId" = $1::uuid AND "key" = $2 ORDER BY "step"
`;

export interface SeriesPoint {
  step: number;
  value: number;
}

export async function selectMetricSeries(sql: Sql, runId: string, key: string): Promise<SeriesPoint[]> {
  return sql<SeriesPoint>(SELECT_METRIC_SERIES, [runId, key]);
}
