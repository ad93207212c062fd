import type { Sql } from "../../../db/sql";

// metrics/get-history pages by step (keyset: the page token is the last step sent), so a page costs
// the same however deep it is.
const SELECT_METRIC_HISTORY = `
SELECT "step", "value", "wallTime" FROM "MetricPoint"
 WHERE "runId" = $1::uuid AND "key" = $2 AND "step" > $3 ORDER BY "step" LIMIT $4`;

export interface MetricHistoryRow {
  step: number;
  value: number;
  wallTime: Date;
}

/** At most `limit` points of the key after `afterStep`, in step order. */
export async function selectMetricHistory(sql: Sql, runId: string, key: string, afterStep: number, limit: number): Promise<MetricHistoryRow[]> {
  return sql<MetricHistoryRow>(SELECT_METRIC_HISTORY, [runId, key, afterStep, limit]);
}
