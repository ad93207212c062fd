import { METRICS } from "../../runner/engine/metrics/metric-names";
import type { Sql } from "../db/sql";

// The validation curves of the given runs: val/accuracy and its standard error, read through the
// metric points' primary key (runId, key, step): a few points per run, never a scan.
const SELECT_VALIDATION_POINTS = `
SELECT p."runId"::text AS "runId", p."key", p."step", p."value"
  FROM "MetricPoint" p
 WHERE p."runId" = ANY($1::uuid[])
   AND p."key" IN ($2, $3)`;

export interface ValidationPointRow {
  runId: string;
  key: typeof METRICS.valAccuracy | typeof METRICS.valAccuracySe;
  step: number;
  value: number;
}

export async function selectValidationPoints(sql: Sql, runIds: readonly string[]): Promise<ValidationPointRow[]> {
  return sql<ValidationPointRow>(SELECT_VALIDATION_POINTS, [runIds, METRICS.valAccuracy, METRICS.valAccuracySe]);
}
