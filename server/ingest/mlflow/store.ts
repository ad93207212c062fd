// Where MLflow's runs live in URLVR Lab's tables (experiments: experiments.ts):
//   run               -> Run (status mapped below; config = { source: "mlflow", ... })
//   params and tags   -> RunAttribute (kind "param" / "tag")
//   metrics           -> MetricPoint through the shared writer (summary and MCS kept current)
// A Run needs a BaseModel: the param or tag `base_model` names it (found, or created as an external
// model), else the external model "external". The params/tags reward_method, task, dataset_size,
// seed and total_steps fill the Run columns of the same names, so outside runs rank and filter like
// the runner's own (a TTRL trainer logs reward_method=majority_vote to appear on the leaderboard).
import type pg from "pg";
import { deleteRuns, restoreRuns } from "../../db/lifecycle";
import { viaPg } from "../../db/sql";
import { withTransaction } from "../../db/pool";
import { storeMetrics, type MetricPointInput } from "../metrics";
import { invalidParameter, MlflowError, runNotFound } from "./errors";
import { defaultExperiment, getExperiment } from "./experiments";
import { getRunJson } from "./read";
import { DEFAULT_EXPERIMENT_ID, experimentJson, FROM_MLFLOW_STATUS, lastWins, UUID, type KeyValue, type MlflowStatus } from "./shapes";
import { deleteRunTag } from "./sql/delete-run-tag";
import { insertExternalBaseModel } from "./sql/insert-external-base-model";
import { insertRun } from "./sql/insert-run";
import { selectBaseModelId } from "./sql/select-base-model-id";
import { selectRunForUpdate, type LockedRun } from "./sql/select-run-for-update";
import { selectRunParams } from "./sql/select-run-params";
import { updateRunStatus } from "./sql/update-run-status";
import { updateRunWellKnownColumns } from "./sql/update-run-well-known-columns";
import { upsertRunAttributes } from "./sql/upsert-run-attributes";

export const DEFAULT_BASE_MODEL = "external";

// ---- runs ------------------------------------------------------------------------------------

async function lockRun(client: pg.ClientBase, runId: string): Promise<LockedRun> {
  if (!UUID.test(runId)) throw runNotFound(runId);
  const run = await selectRunForUpdate(viaPg(client), runId);
  if (!run) throw runNotFound(runId);
  return run;
}

/** MLflow's rule: a deleted run takes no more writes until it is restored. */
async function lockActiveRun(client: pg.ClientBase, runId: string): Promise<LockedRun> {
  const run = await lockRun(client, runId);
  if (run.deletedAt) throw invalidParameter(`The run ${run.id} must be in the 'active' state. Current state is deleted.`);
  return run;
}

/** runs/get; read.ts shapes runs for runs/get and runs/search alike (dashboard-launched runs included). */
export async function getRun(db: pg.Pool, runId: string) {
  return getRunJson(db, runId);
}

export interface CreateRunInput {
  experimentId?: string;
  userId?: string;
  runName?: string;
  startTime?: number;
  tags: KeyValue[];
}

export async function createRun(db: pg.Pool, input: CreateRunInput) {
  return withTransaction(db, async (client) => {
    const experiment =
      input.experimentId === undefined || input.experimentId === DEFAULT_EXPERIMENT_ID
        ? experimentJson(await defaultExperiment(client))
        : await getExperiment(client, input.experimentId);
    if (experiment.lifecycle_stage !== "active") {
      throw invalidParameter(`Could not create run under non-active experiment with ID ${experiment.experiment_id}.`);
    }
    const tags = lastWins(input.tags);
    const wk = wellKnown(tags);
    const baseModelId = await baseModelIdFor(client, wk.base_model ?? DEFAULT_BASE_MODEL);
    const runId = await insertRun(viaPg(client), {
      experimentId: experiment.experiment_id,
      baseModelId,
      rewardMethod: wk.reward_method ?? "external",
      task: wk.task ?? "external",
      datasetSize: intOr(wk.dataset_size, 0),
      seed: intOr(wk.seed, 0),
      config: { source: "mlflow", runName: input.runName ?? null, userId: input.userId ?? null },
      totalSteps: intOr(wk.total_steps, 0),
      startTime: input.startTime ?? Date.now(),
    });
    const allTags = [...tags];
    if (input.runName && !tags.some((t) => t.key === "mlflow.runName")) allTags.push({ key: "mlflow.runName", value: input.runName });
    if (input.userId && !tags.some((t) => t.key === "mlflow.user")) allTags.push({ key: "mlflow.user", value: input.userId });
    await upsertAttributes(client, runId, "tag", allTags);
    return getRunJson(client, runId);
  });
}

export interface UpdateRunInput {
  runId: string;
  status?: MlflowStatus;
  endTime?: number;
  runName?: string;
}

/**
 * Runs a runner launched (runnerId set) keep the runner's status: it settles them from the trainer's
 * exit code, and a status written here would fight with its lease. Their name and tags still update.
 */
export async function updateRun(db: pg.Pool, input: UpdateRunInput) {
  return withTransaction(db, async (client) => {
    const run = await lockActiveRun(client, input.runId);
    const next = input.status ? FROM_MLFLOW_STATUS[input.status] : undefined;
    if (next && run.runnerId === null) {
      await updateRunStatus(viaPg(client), run.id, next, next !== "RUNNING", input.endTime ?? null);
    }
    if (input.runName !== undefined) await upsertAttributes(client, run.id, "tag", [{ key: "mlflow.runName", value: input.runName }]);
    return { run_info: (await getRunJson(client, run.id)).info };
  });
}

// ---- logging ---------------------------------------------------------------------------------

export interface LogBatchInput {
  runId: string;
  metrics: MetricPointInput[];
  params: KeyValue[];
  tags: KeyValue[];
}

/** Params, tags and metrics of one request, atomically: any error leaves the database as it was. */
export async function logBatch(db: pg.Pool, input: LogBatchInput): Promise<void> {
  await withTransaction(db, async (client) => {
    const run = await lockActiveRun(client, input.runId);
    await logParams(client, run.id, input.params);
    const tags = lastWins(input.tags);
    await upsertAttributes(client, run.id, "tag", tags);
    await applyWellKnown(client, run.id, [...input.params, ...tags]);
    if (input.metrics.length) await storeMetrics(client, run.id, input.metrics);
  });
}

/** MLflow's rule: a param, once logged, cannot change; logging the same value again is fine. */
async function logParams(client: pg.ClientBase, runId: string, params: KeyValue[]): Promise<void> {
  if (params.length === 0) return;
  const seen = new Map<string, string>();
  for (const p of params) {
    const prior = seen.get(p.key);
    if (prior !== undefined && prior !== p.value) {
      throw invalidParameter(`Duplicate parameter keys have been submitted: '${p.key}' with values '${prior}' and '${p.value}'`);
    }
    seen.set(p.key, p.value);
  }
  for (const r of await selectRunParams(viaPg(client), runId, [...seen.keys()])) {
    if (r.value !== seen.get(r.key)) {
      throw invalidParameter(
        `Changing param values is not allowed. Param with key='${r.key}' was already logged with value='${r.value}' for run ID='${runId}'. Attempted logging new value '${seen.get(r.key)}'.`,
      );
    }
  }
  await upsertAttributes(client, runId, "param", [...seen].map(([key, value]) => ({ key, value })));
}

async function upsertAttributes(client: pg.ClientBase, runId: string, kind: "param" | "tag", items: KeyValue[]): Promise<void> {
  if (items.length === 0) return;
  await upsertRunAttributes(viaPg(client), runId, kind, items);
}

// ---- lifecycle (server/db/lifecycle.ts holds the rule; the dashboard uses the same) ------------

export async function deleteRun(db: pg.Pool, runId: string): Promise<void> {
  if (!UUID.test(runId)) throw runNotFound(runId);
  const { found } = await deleteRuns(viaPg(db), [runId]);
  if (found.length === 0) throw runNotFound(runId);
}

export async function restoreRun(db: pg.Pool, runId: string): Promise<void> {
  if (!UUID.test(runId)) throw runNotFound(runId);
  await withTransaction(db, async (client) => {
    await lockRun(client, runId);
    await restoreRuns(viaPg(client), [runId]);
  });
}

export async function deleteTag(db: pg.Pool, runId: string, key: string): Promise<void> {
  await withTransaction(db, async (client) => {
    const run = await lockActiveRun(client, runId);
    if (!(await deleteRunTag(viaPg(client), run.id, key))) throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `No tag with name: ${key} in run with id ${run.id}`);
  });
}

// ---- well-known keys -------------------------------------------------------------------------

const WELL_KNOWN = ["base_model", "reward_method", "task", "dataset_size", "seed", "total_steps"] as const;
type WellKnown = Partial<Record<(typeof WELL_KNOWN)[number], string>>;

function wellKnown(items: KeyValue[]): WellKnown {
  const out: WellKnown = {};
  for (const { key, value } of items) {
    const k = key.startsWith("urlvr.") ? key.slice(6) : key;
    if ((WELL_KNOWN as readonly string[]).includes(k)) out[k as keyof WellKnown] = value;
  }
  return out;
}

function intOr(v: string | undefined, fallback: number): number {
  const n = v === undefined ? Number.NaN : Number(v);
  return Number.isInteger(n) && Math.abs(n) <= 2 ** 31 - 1 ? n : fallback;
}

async function applyWellKnown(client: pg.ClientBase, runId: string, items: KeyValue[]): Promise<void> {
  const wk = wellKnown(items);
  if (Object.keys(wk).length === 0) return;
  const baseModelId = wk.base_model ? await baseModelIdFor(client, wk.base_model) : null;
  const int = (v: string | undefined) => {
    const n = v === undefined ? Number.NaN : intOr(v, Number.NaN);
    return Number.isNaN(n) ? null : n;
  };
  await updateRunWellKnownColumns(viaPg(client), runId, {
    baseModelId,
    rewardMethod: wk.reward_method ?? null,
    task: wk.task ?? null,
    datasetSize: int(wk.dataset_size),
    seed: int(wk.seed),
    totalSteps: int(wk.total_steps),
  });
}

/** The BaseModel of that name; an unknown name is registered as an external model. */
async function baseModelIdFor(client: pg.ClientBase, name: string): Promise<string> {
  const trimmed = name.trim().slice(0, 200) || DEFAULT_BASE_MODEL;
  const sql = viaPg(client);
  await insertExternalBaseModel(sql, trimmed);
  return (await selectBaseModelId(sql, trimmed))!;
}
