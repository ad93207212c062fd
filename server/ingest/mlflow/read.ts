// The read side of the MLflow API: runs as MLflow shapes them (runs/get and runs/search build them
// here, in one place), run search, a metric's full history, and experiment search and list.
//
// Every run is visible, however it was made: an outside trainer's run shows what it logged; a run
// launched in the dashboard (no logged params or tags) shows its training config as params and its
// base model, reward method, task, dataset size, seed and experiment name as tags (search-filter.ts
// defines these in SQL, so filters match what is shown). Metrics are the latest value per key.
//
import type pg from "pg";
import { runNotFound } from "./errors";
import { offsetToken, readOffsetToken, readStepToken, stepToken } from "./paging";
import type { ViewType } from "./read-schemas";
import {
  ENGINE_RUN,
  EXPERIMENT_SEARCH,
  LAB_RUN,
  LAB_TAGS,
  RUN_FROM,
  RUN_SEARCH,
  SqlParams,
  experimentConditions,
  experimentOrder,
  parseFilter,
  parseOrderBy,
  runConditions,
  runOrder,
} from "./search-filter";
import { getExperiment } from "./experiments";
import { DEFAULT_EXPERIMENT_ID, experimentJson, jsonDouble, TO_MLFLOW_STATUS, type KeyValue } from "./shapes";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface RunRow {
  id: string;
  experimentId: string | null;
  status: keyof typeof TO_MLFLOW_STATUS;
  config: unknown;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  deletedAt: Date | null;
}

interface MetricJson {
  key: string;
  value: number | string;
  timestamp: string;
  step: string;
}

export interface RunJson {
  info: ReturnType<typeof runInfoJson>;
  data: { metrics: MetricJson[]; params: KeyValue[]; tags: KeyValue[] };
  inputs: Record<string, never>;
}

const viewCondition = (column: string, view: ViewType) =>
  view === "ACTIVE_ONLY" ? `${column} IS NULL` : view === "DELETED_ONLY" ? `${column} IS NOT NULL` : "TRUE";

// ---- runs ------------------------------------------------------------------------------------

/** MLflow's RunInfo; int64 fields as strings, as protobuf's JSON mapping writes them. */
function runInfoJson(run: RunRow, tags: ReadonlyMap<string, string>) {
  const cfg = (run.config && typeof run.config === "object" ? run.config : {}) as Record<string, unknown>;
  return {
    run_id: run.id,
    run_uuid: run.id,
    run_name: tags.get("mlflow.runName") ?? (typeof cfg.runName === "string" ? cfg.runName : ""),
    experiment_id: run.experimentId ?? DEFAULT_EXPERIMENT_ID,
    user_id: tags.get("mlflow.user") ?? (typeof cfg.userId === "string" ? cfg.userId : ""),
    status: TO_MLFLOW_STATUS[run.status],
    start_time: String((run.startedAt ?? run.createdAt).getTime()),
    ...(run.finishedAt ? { end_time: String(run.finishedAt.getTime()) } : {}),
    artifact_uri: "",
    lifecycle_stage: run.deletedAt ? "deleted" : "active",
  };
}

/**
 * Params and tags of the given runs: those logged through the API, then, for lab runs, those
 * derived from the run (a logged one wins over a derived one of the same key).
 */
function attributesSql(): string {
  const labTags = Object.entries(LAB_TAGS)
    .map(([k, expr]) => `('${k}', ${expr})`)
    .join(", ");
  return `
    SELECT DISTINCT ON (x."runId", x."kind", x."key") x."runId", x."kind", x."key", x."value"
      FROM (
        SELECT a."runId", a."kind", a."key", a."value", 0 AS "rank"
          FROM "RunAttribute" a WHERE a."runId" = ANY($1::uuid[])
        UNION ALL
        SELECT r."id", 'param', c."key", c."value", 1
          FROM ${RUN_FROM} CROSS JOIN LATERAL jsonb_each_text(CASE WHEN ${ENGINE_RUN} THEN r."config" END) c
         WHERE r."id" = ANY($1::uuid[]) AND c."value" IS NOT NULL
        UNION ALL
        SELECT r."id", 'tag', t."key", t."value", 1
          FROM ${RUN_FROM} CROSS JOIN LATERAL (VALUES ${labTags}) AS t("key", "value")
         WHERE r."id" = ANY($1::uuid[]) AND ${LAB_RUN} AND t."value" IS NOT NULL
      ) x
     ORDER BY x."runId", x."kind", x."key", x."rank"`;
}

/** The runs of these ids in MLflow's shape, in the order given; unknown ids are left out. */
export async function loadRuns(db: pg.Pool | pg.ClientBase, ids: readonly string[]): Promise<RunJson[]> {
  if (ids.length === 0) return [];
  const [runs, attrs, metrics] = await Promise.all([
    db.query<RunRow>(
      `SELECT r."id", r."experimentId", r."status", r."config", r."createdAt", r."startedAt", r."finishedAt", r."deletedAt"
         FROM "Run" r WHERE r."id" = ANY($1::uuid[])`,
      [ids],
    ),
    db.query<KeyValue & { runId: string; kind: string }>(attributesSql(), [ids]),
    db.query<{ runId: string; key: string; last: number; lastStep: number; lastWallTime: Date }>(
      `SELECT "runId", "key", "last", "lastStep", "lastWallTime" FROM "MetricSummary" WHERE "runId" = ANY($1::uuid[]) ORDER BY "runId", "key"`,
      [ids],
    ),
  ]);
  const byRun = new Map<string, RunJson["data"]>();
  const dataOf = (id: string) => {
    let d = byRun.get(id);
    if (!d) byRun.set(id, (d = { metrics: [], params: [], tags: [] }));
    return d;
  };
  for (const a of attrs.rows) (a.kind === "param" ? dataOf(a.runId).params : dataOf(a.runId).tags).push({ key: a.key, value: a.value });
  for (const m of metrics.rows) {
    dataOf(m.runId).metrics.push({ key: m.key, value: jsonDouble(m.last), timestamp: String(m.lastWallTime.getTime()), step: String(m.lastStep) });
  }
  const rows = new Map(runs.rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => {
    const run = rows.get(id);
    if (!run) return [];
    const data = dataOf(id);
    return [{ info: runInfoJson(run, new Map(data.tags.map((t) => [t.key, t.value]))), data, inputs: {} }];
  });
}

/** runs/get: one run; RESOURCE_DOES_NOT_EXIST when there is none (deleted runs included, as MLflow). */
export async function getRunJson(db: pg.Pool | pg.ClientBase, runId: string): Promise<RunJson> {
  if (!UUID.test(runId)) throw runNotFound(runId);
  const [run] = await loadRuns(db, [runId]);
  if (!run) throw runNotFound(runId);
  return run;
}

export interface SearchRunsInput {
  experiment_ids: string[];
  filter?: string;
  run_view_type: ViewType;
  max_results: number;
  order_by: string[];
  page_token?: string;
}

export async function searchRuns(db: pg.Pool, input: SearchRunsInput): Promise<{ runs: RunJson[]; next_page_token?: string }> {
  // Everything the client sent is checked before the database is asked anything.
  const clauses = parseFilter(input.filter ?? "", RUN_SEARCH);
  const order = input.order_by.map((o) => parseOrderBy(o, RUN_SEARCH));
  const offset = readOffsetToken(input.page_token);
  const p = new SqlParams();
  const where = [viewCondition(`r."deletedAt"`, input.run_view_type)];
  if (input.experiment_ids.length > 0) where.push(await experimentCondition(db, input.experiment_ids, p));
  where.push(...runConditions(clauses, p));
  const orderSql = runOrder(order, p);
  const { rows } = await db.query<{ id: string }>(
    `SELECT r."id" FROM ${RUN_FROM} WHERE ${where.join(" AND ")} ORDER BY ${orderSql} LIMIT ${p.add(input.max_results + 1)} OFFSET ${p.add(offset)}`,
    p.values,
  );
  const more = rows.length > input.max_results;
  const runs = await loadRuns(db, rows.slice(0, input.max_results).map((r) => r.id));
  return { runs, ...(more ? { next_page_token: offsetToken(offset + input.max_results) } : {}) };
}

/**
 * Runs of the given experiments. "0" is MLflow's default experiment: the Default experiment, plus
 * runs whose experiment was removed (runs/get shows those as experiment "0" too). Ids that name no
 * experiment match nothing, as in MLflow.
 */
async function experimentCondition(db: pg.Pool, ids: readonly string[], p: SqlParams): Promise<string> {
  const uuids = ids.filter((id) => UUID.test(id));
  const parts = [`r."experimentId" = ANY(${p.add(uuids)}::uuid[])`];
  if (ids.includes(DEFAULT_EXPERIMENT_ID)) {
    const def = await getExperiment(db, DEFAULT_EXPERIMENT_ID);
    parts.push(`r."experimentId" IS NULL`, `r."experimentId" = ${p.add(def.experiment_id)}::uuid`);
  }
  return `(${parts.join(" OR ")})`;
}

// ---- metric history --------------------------------------------------------------------------

export interface MetricHistoryInput {
  runId: string;
  metric_key: string;
  max_results: number;
  page_token?: string;
}

/** Every stored point of one metric in step order (one per step: a re-logged step keeps its last value). */
export async function getMetricHistory(db: pg.Pool, input: MetricHistoryInput): Promise<{ metrics: MetricJson[]; next_page_token?: string }> {
  const afterStep = readStepToken(input.page_token);
  if (!UUID.test(input.runId)) throw runNotFound(input.runId);
  const { rowCount } = await db.query(`SELECT 1 FROM "Run" WHERE "id" = $1`, [input.runId]);
  if (!rowCount) throw runNotFound(input.runId);
  const { rows } = await db.query<{ step: number; value: number; wallTime: Date }>(
    `SELECT "step", "value", "wallTime" FROM "MetricPoint"
      WHERE "runId" = $1 AND "key" = $2 AND "step" > $3 ORDER BY "step" LIMIT $4`,
    [input.runId, input.metric_key, afterStep, input.max_results + 1],
  );
  const page = rows.slice(0, input.max_results);
  const metrics = page.map((m) => ({ key: input.metric_key, value: jsonDouble(m.value), timestamp: String(m.wallTime.getTime()), step: String(m.step) }));
  return { metrics, ...(rows.length > input.max_results ? { next_page_token: stepToken(page[page.length - 1]!.step) } : {}) };
}

// ---- experiments -----------------------------------------------------------------------------

const EXPERIMENT_SELECT = `SELECT e."id", e."name", e."tags", e."createdAt", e."updatedAt", e."deletedAt" FROM "Experiment" e`;
type ExperimentRow = Parameters<typeof experimentJson>[0];

export interface SearchExperimentsInput {
  filter?: string;
  order_by: string[];
  view_type: ViewType;
  max_results: number;
  page_token?: string;
}

export async function searchExperiments(db: pg.Pool, input: SearchExperimentsInput) {
  const clauses = parseFilter(input.filter ?? "", EXPERIMENT_SEARCH);
  const order = input.order_by.map((o) => parseOrderBy(o, EXPERIMENT_SEARCH));
  const offset = readOffsetToken(input.page_token);
  const p = new SqlParams();
  const where = [viewCondition(`e."deletedAt"`, input.view_type), ...experimentConditions(clauses, p)];
  const orderSql = experimentOrder(order, p);
  const { rows } = await db.query<ExperimentRow>(
    `${EXPERIMENT_SELECT} WHERE ${where.join(" AND ")} ORDER BY ${orderSql} LIMIT ${p.add(input.max_results + 1)} OFFSET ${p.add(offset)}`,
    p.values,
  );
  const more = rows.length > input.max_results;
  return {
    experiments: rows.slice(0, input.max_results).map(experimentJson),
    ...(more ? { next_page_token: offsetToken(offset + input.max_results) } : {}),
  };
}

export interface ListExperimentsInput {
  view_type: ViewType;
  /** Unset: every experiment, as MLflow 1.x's experiments/list. */
  max_results?: number;
  page_token?: string;
}

/** MLflow 1.x's experiments/list: oldest first (MLflow 1.x listed by increasing experiment id). */
export async function listExperiments(db: pg.Pool, input: ListExperimentsInput) {
  const offset = readOffsetToken(input.page_token);
  const p = new SqlParams();
  const limit = input.max_results === undefined ? "" : ` LIMIT ${p.add(input.max_results + 1)}`;
  const { rows } = await db.query<ExperimentRow>(
    `${EXPERIMENT_SELECT} WHERE ${viewCondition(`e."deletedAt"`, input.view_type)} ORDER BY e."createdAt" ASC, e."id" ASC${limit} OFFSET ${p.add(offset)}`,
    p.values,
  );
  const max = input.max_results ?? rows.length;
  return {
    experiments: rows.slice(0, max).map(experimentJson),
    ...(rows.length > max ? { next_page_token: offsetToken(offset + max) } : {}),
  };
}
