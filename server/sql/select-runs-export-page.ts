import { METRICS } from "../../runner/engine/metrics/metric-names";
import type { Sql } from "../db/sql";
import type { RunFilter } from "../schemas/runs";

// One page of the runs CSV: the runs a RunFilter selects (its meaning is written at RunFilter in
// server/schemas/runs.ts; the /runs table applies the same meaning through Prisma in runsWhere), newest
// first, by keyset pagination on (createdAt, id) so a long export never re-reads skipped rows. Each
// filter adds its condition only when given, with bound parameters, so Postgres plans the query that
// is actually asked. Table values come from MetricSummary (one row per run and key); the first
// validation accuracy is one index descent into MetricPoint's primary key per run.
const SELECT_RUNS_EXPORT_PAGE = (conditions: readonly string[], limit: string) => `
SELECT r."id"::text AS "id", e."name" AS experiment, e."tags", b."name" AS model, r."rewardMethod", r."task", r."datasetSize",
       r."seed", r."status", r."currentStep", r."totalSteps", r."mcsStep", r."mcsCensored",
       ra."last" AS "rewardAccuracyLast",
       (SELECT p."value" FROM "MetricPoint" p WHERE p."runId" = r."id" AND p."key" = '${METRICS.valAccuracy}'
         ORDER BY p."step" LIMIT 1) AS "valFirst",
       va."max" AS "valBest", va."last" AS "valLast",
       r."createdAt", r."startedAt", r."finishedAt", r."error"
  FROM "Run" r
  JOIN "BaseModel" b ON b."id" = r."baseModelId"
  LEFT JOIN "Experiment" e ON e."id" = r."experimentId"
  LEFT JOIN "MetricSummary" ra ON ra."runId" = r."id" AND ra."key" = '${METRICS.rewardAccuracy}'
  LEFT JOIN "MetricSummary" va ON va."runId" = r."id" AND va."key" = '${METRICS.valAccuracy}'
 WHERE ${conditions.join(" AND ")}
 ORDER BY r."createdAt" DESC, r."id" DESC
 LIMIT ${limit}`;

export interface RunExportRow {
  id: string;
  experiment: string | null;
  tags: string[] | null;
  model: string;
  rewardMethod: string;
  task: string;
  datasetSize: number;
  seed: number;
  status: string;
  currentStep: number;
  totalSteps: number;
  mcsStep: number | null;
  mcsCensored: boolean | null;
  rewardAccuracyLast: number | null;
  valFirst: number | null;
  valBest: number | null;
  valLast: number | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  error: string | null;
}

/** Where the previous page ended: its last row's createdAt and id. */
export interface RunExportCursor {
  createdAt: Date;
  id: string;
}

/** RunFilter as SQL conditions on r (Run), b (BaseModel) and e (Experiment, left-joined). */
function filterConditions(filter: RunFilter, param: (value: unknown) => string): string[] {
  const where = [filter.view === "deleted" ? `r."deletedAt" IS NOT NULL` : `r."deletedAt" IS NULL`];
  if (filter.status?.length) where.push(`r."status"::text = ANY(${param(filter.status)}::text[])`);
  if (filter.baseModel?.length) where.push(`b."name" = ANY(${param(filter.baseModel)}::text[])`);
  if (filter.method?.length) where.push(`r."rewardMethod" = ANY(${param(filter.method)}::text[])`);
  if (filter.experiment) {
    where.push("id" in filter.experiment ? `r."experimentId" = ${param(filter.experiment.id)}::uuid` : `e."name" = ${param(filter.experiment.name)}`);
  }
  // A run without an experiment has e."tags" NULL, so it never matches a tag.
  if (filter.tag) where.push(`${param(filter.tag)} = ANY(e."tags")`);
  return where;
}

/** The next `pageSize` runs the filter selects after `after` (from the newest when null). */
export async function selectRunsExportPage(sql: Sql, filter: RunFilter, after: RunExportCursor | null, pageSize: number): Promise<RunExportRow[]> {
  const values: unknown[] = [];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  const conditions = filterConditions(filter, param);
  if (after) conditions.push(`(r."createdAt", r."id") < (${param(after.createdAt)}::timestamptz, ${param(after.id)}::uuid)`);
  return sql<RunExportRow>(SELECT_RUNS_EXPORT_PAGE(conditions, param(pageSize)), values);
}
