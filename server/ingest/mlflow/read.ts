// The read side of the MLflow API: runs as MLflow shapes them (runs/get and runs/search build them
// here, in one place), run search, a metric's full history, and experiment search and list.
//
// Every run is visible, however it was made: an outside trainer's run shows what it logged; a run
// launched in the dashboard (no logged params or tags) shows its training config as params and its
// base model, reward method, task, dataset size, seed and experiment name as tags (search-filter.ts
// defines these in SQL, so filters match what is shown). Metrics are the latest value per key.
//
import type pg from "pg";
import { viaPg } from "../../db/sql";
import { runNotFound } from "./errors";
import { offsetToken, readOffsetToken, readStepToken, stepToken } from "./paging";
import type { ViewType } from "./read-schemas";
import { EXPERIMENT_SEARCH, parseFilter, parseOrderBy, RUN_SEARCH } from "./search-filter";
import { getExperiment } from "./experiments";
import { DEFAULT_EXPERIMENT_ID, experimentJson, jsonDouble, TO_MLFLOW_STATUS, UUID, type KeyValue } from "./shapes";
import { listExperiments as listExperimentRows } from "./sql/list-experiments";
import { searchExperiments as searchExperimentRows } from "./sql/search-experiments";
import { searchRuns as searchRunIds } from "./sql/search-runs";
import { selectMetricHistory } from "./sql/select-metric-history";
import { selectMetricSummaries } from "./sql/select-metric-summaries";
import { selectRunAttributes } from "./sql/select-run-attributes";
import { selectRunExists } from "./sql/select-run-exists";
import { selectRuns, type RunInfoRow } from "./sql/select-runs";


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

// ---- runs ------------------------------------------------------------------------------------

/** MLflow's RunInfo; int64 fields as strings, as protobuf's JSON mapping writes them. */
function runInfoJson(run: RunInfoRow, tags: ReadonlyMap<string, string>) {
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

/** The runs of these ids in MLflow's shape, in the order given; unknown ids are left out. */
export async function loadRuns(db: pg.Pool | pg.ClientBase, ids: readonly string[]): Promise<RunJson[]> {
  if (ids.length === 0) return [];
  const sql = viaPg(db);
  // In turn, not in parallel: `db` may be one client inside a transaction (runs/create, runs/update),
  // which runs one query at a time anyway (pg deprecates queueing them).
  const runs = await selectRuns(sql, ids);
  const attrs = await selectRunAttributes(sql, ids);
  const metrics = await selectMetricSummaries(sql, ids);
  const byRun = new Map<string, RunJson["data"]>();
  const dataOf = (id: string) => {
    let d = byRun.get(id);
    if (!d) byRun.set(id, (d = { metrics: [], params: [], tags: [] }));
    return d;
  };
  for (const a of attrs) (a.kind === "param" ? dataOf(a.runId).params : dataOf(a.runId).tags).push({ key: a.key, value: a.value });
  for (const m of metrics) {
    dataOf(m.runId).metrics.push({ key: m.key, value: jsonDouble(m.last), timestamp: String(m.lastWallTime.getTime()), step: String(m.lastStep) });
  }
  const rows = new Map(runs.map((r) => [r.id, r]));
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
  const experiments = input.experiment_ids.length > 0 ? await experimentScope(db, input.experiment_ids) : null;
  const ids = await searchRunIds(viaPg(db), {
    clauses,
    order,
    view: input.run_view_type,
    experiments,
    limit: input.max_results + 1,
    offset,
  });
  const more = ids.length > input.max_results;
  const runs = await loadRuns(db, ids.slice(0, input.max_results));
  return { runs, ...(more ? { next_page_token: offsetToken(offset + input.max_results) } : {}) };
}

/**
 * Runs of the given experiments. "0" is MLflow's default experiment: the Default experiment, plus
 * runs whose experiment was removed (runs/get shows those as experiment "0" too). Ids that name no
 * experiment match nothing, as in MLflow.
 */
async function experimentScope(db: pg.Pool, ids: readonly string[]): Promise<{ ids: string[]; defaultId: string | null }> {
  const uuids = ids.filter((id) => UUID.test(id));
  const defaultId = ids.includes(DEFAULT_EXPERIMENT_ID) ? (await getExperiment(db, DEFAULT_EXPERIMENT_ID)).experiment_id : null;
  return { ids: uuids, defaultId };
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
  const sql = viaPg(db);
  if (!(await selectRunExists(sql, input.runId))) throw runNotFound(input.runId);
  const rows = await selectMetricHistory(sql, input.runId, input.metric_key, afterStep, input.max_results + 1);
  const page = rows.slice(0, input.max_results);
  const metrics = page.map((m) => ({ key: input.metric_key, value: jsonDouble(m.value), timestamp: String(m.wallTime.getTime()), step: String(m.step) }));
  return { metrics, ...(rows.length > input.max_results ? { next_page_token: stepToken(page[page.length - 1]!.step) } : {}) };
}

// ---- experiments -----------------------------------------------------------------------------

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
  const rows = await searchExperimentRows(viaPg(db), { clauses, order, view: input.view_type, limit: input.max_results + 1, offset });
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
  const rows = await listExperimentRows(viaPg(db), {
    view: input.view_type,
    ...(input.max_results === undefined ? {} : { limit: input.max_results + 1 }),
    offset,
  });
  const max = input.max_results ?? rows.length;
  return {
    experiments: rows.slice(0, max).map(experimentJson),
    ...(rows.length > max ? { next_page_token: offsetToken(offset + max) } : {}),
  };
}
