import type { Sql } from "../db/sql";

// The columns the metrics CSV repeats on every point row of a run (base model, reward method, seed),
// read once per export instead of joined into each page of points. Unknown ids are simply absent.
const SELECT_METRIC_EXPORT_RUNS = `
SELECT r."id"::text AS "id", b."name" AS model, r."rewardMethod", r."seed"
  FROM "Run" r JOIN "BaseModel" b ON b."id" = r."baseModelId" WHERE r."id" = ANY($1::uuid[])`;

export interface MetricExportRun {
  id: string;
  model: string;
  rewardMethod: string;
  seed: number;
}

export async function selectMetricExportRuns(sql: Sql, runIds: readonly string[]): Promise<MetricExportRun[]> {
  return sql<MetricExportRun>(SELECT_METRIC_EXPORT_RUNS, [runIds]);
}
