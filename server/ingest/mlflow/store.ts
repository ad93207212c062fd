// Where MLflow's runs live in URLVR Lab's tables (experiments: experiments.ts):
//   run               -> Run (status mapped below; config = { source: "mlflow", ... })
//   params and tags   -> RunAttribute (kind "param" / "tag")
//   metrics           -> MetricPoint through the shared writer (summary and MCS kept current)
// A Run needs a BaseModel: the param or tag `base_model` names it (found, or created as an external
// model), else the external model "external". The params/tags reward_method, task, dataset_size,
// seed and total_steps fill the Run columns of the same names, so outside runs rank and filter like
// the runner's own (a TTRL trainer logs reward_method=majority_vote to appear on the leaderboard).
import type pg from "pg";
import { deleteRuns, restoreRuns, viaPg } from "../../db/lifecycle";
import { withTransaction } from "../../db/pool";
import { storeMetrics, type MetricPointInput } from "../metrics";
import { invalidParameter, MlflowError, runNotFound } from "./errors";
import { defaultExperiment, getExperiment } from "./experiments";
import { getRunJson } from "./read";
import { DEFAULT_EXPERIMENT_ID, experimentJson, FROM_MLFLOW_STATUS, lastWins, UUID, type KeyValue, type MlflowStatus, type Status } from "./shapes";

export const DEFAULT_BASE_MODEL = "external";

interface RunRow {
  id: string;
  experimentId: string | null;
  status: Status;
  runnerId: string | null;
  config: Record<string, unknown> | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  deletedAt: Date | null;
}

// ---- runs ------------------------------------------------------------------------------------

const RUN_COLUMNS = `"id", "experimentId", "status", "runnerId", "config", "createdAt", "startedAt", "finishedAt", "deletedAt"`;

async function lockRun(client: pg.ClientBase, runId: string): Promise<RunRow> {
  if (!UUID.test(runId)) throw runNotFound(runId);
  const { rows } = await client.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM "Run" WHERE "id" = $1 FOR UPDATE`, [runId]);
  if (!rows[0]) throw runNotFound(runId);
  return rows[0];
}

/** MLflow's rule: a deleted run takes no more writes until it is restored. */
async function lockActiveRun(client: pg.ClientBase, runId: string): Promise<RunRow> {
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
    const { rows } = await client.query<RunRow>(
      `INSERT INTO "Run" ("experimentId", "baseModelId", "rewardMethod", "task", "datasetSize", "seed", "config", "status",
                          "totalSteps", "startedAt")
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, 'RUNNING', $8, to_timestamp($9::float8 / 1000.0))
       RETURNING ${RUN_COLUMNS}`,
      [
        experiment.experiment_id,
        baseModelId,
        wk.reward_method ?? "external",
        wk.task ?? "external",
        intOr(wk.dataset_size, 0),
        intOr(wk.seed, 0),
        JSON.stringify({ source: "mlflow", runName: input.runName ?? null, userId: input.userId ?? null }),
        intOr(wk.total_steps, 0),
        input.startTime ?? Date.now(),
      ],
    );
    const run = rows[0]!;
    const allTags = [...tags];
    if (input.runName && !tags.some((t) => t.key === "mlflow.runName")) allTags.push({ key: "mlflow.runName", value: input.runName });
    if (input.userId && !tags.some((t) => t.key === "mlflow.user")) allTags.push({ key: "mlflow.user", value: input.userId });
    await upsertAttributes(client, run.id, "tag", allTags);
    return getRunJson(client, run.id);
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
      const terminal = next !== "RUNNING";
      const { rows } = await client.query<RunRow>(
        `UPDATE "Run" SET "status" = $2::"RunStatus",
           "finishedAt" = CASE WHEN $3::boolean THEN to_timestamp(COALESCE($4::float8, extract(epoch FROM now()) * 1000) / 1000.0) END
         WHERE "id" = $1 RETURNING ${RUN_COLUMNS}`,
        [run.id, next, terminal, input.endTime ?? null],
      );
      Object.assign(run, rows[0]);
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
  const { rows } = await client.query<KeyValue>(
    `SELECT "key", "value" FROM "RunAttribute" WHERE "runId" = $1 AND "kind" = 'param' AND "key" = ANY($2::text[])`,
    [runId, [...seen.keys()]],
  );
  for (const r of rows) {
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
  await client.query(
    `INSERT INTO "RunAttribute" ("runId", "kind", "key", "value")
     SELECT $1, $2, k, v FROM unnest($3::text[], $4::text[]) AS t(k, v)
     ON CONFLICT ("runId", "kind", "key") DO UPDATE SET "value" = EXCLUDED."value"`,
    [runId, kind, items.map((i) => i.key), items.map((i) => i.value)],
  );
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
    const { rowCount } = await client.query(`DELETE FROM "RunAttribute" WHERE "runId" = $1 AND "kind" = 'tag' AND "key" = $2`, [run.id, key]);
    if (!rowCount) throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `No tag with name: ${key} in run with id ${run.id}`);
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
  await client.query(
    `UPDATE "Run" SET
       "baseModelId" = COALESCE($2, "baseModelId"), "rewardMethod" = COALESCE($3, "rewardMethod"), "task" = COALESCE($4, "task"),
       "datasetSize" = COALESCE($5, "datasetSize"), "seed" = COALESCE($6, "seed"), "totalSteps" = COALESCE($7, "totalSteps")
     WHERE "id" = $1`,
    [runId, baseModelId, wk.reward_method ?? null, wk.task ?? null, int(wk.dataset_size), int(wk.seed), int(wk.total_steps)],
  );
}

/** The BaseModel of that name; an unknown name is registered as an external model. */
async function baseModelIdFor(client: pg.ClientBase, name: string): Promise<string> {
  const trimmed = name.trim().slice(0, 200) || DEFAULT_BASE_MODEL;
  await client.query(
    `INSERT INTO "BaseModel" ("name", "family", "description", "paramCount", "architecture", "external")
     VALUES ($1, 'external', 'Registered by the MLflow ingestion API for runs of an outside trainer.', 0, '{}'::jsonb, true)
     ON CONFLICT ("name") DO NOTHING`,
    [trimmed],
  );
  const { rows } = await client.query<{ id: string }>(`SELECT "id" FROM "BaseModel" WHERE "name" = $1`, [trimmed]);
  return rows[0]!.id;
}
