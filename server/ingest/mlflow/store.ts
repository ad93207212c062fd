// Where MLflow's entities live in URLVR Lab's tables:
//   experiment        -> Experiment (tags kept as "key=value" strings beside an "mlflow" marker; MLflow's
//                        default experiment "0" is the Experiment named "Default" marked "mlflow:default")
//   run               -> Run (status mapped below; config = { source: "mlflow", ... })
//   params and tags   -> RunAttribute (kind "param" / "tag")
//   metrics           -> MetricPoint through the shared writer (summary and MCS kept current)
// A Run needs a BaseModel: the param or tag `base_model` names it (found, or created as an external
// model), else the external model "external". The params/tags reward_method, task, dataset_size,
// seed and total_steps fill the Run columns of the same names, so outside runs rank and filter like
// the runner's own (a TTRL trainer logs reward_method=majority_vote to appear on the leaderboard).
import type pg from "pg";
import { withTransaction } from "../../db/pool";
import { storeMetrics, type MetricPointInput } from "../metrics";
import { invalidParameter, MlflowError, runNotFound } from "./errors";

export const DEFAULT_BASE_MODEL = "external";
export const DEFAULT_EXPERIMENT_ID = "0";
const DEFAULT_MARKER = "mlflow:default";
const MLFLOW_MARKER = "mlflow";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Status = "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELED" | "CRASHED";
export type MlflowStatus = "RUNNING" | "SCHEDULED" | "FINISHED" | "FAILED" | "KILLED";

export const TO_MLFLOW_STATUS: Record<Status, MlflowStatus> = {
  QUEUED: "SCHEDULED",
  RUNNING: "RUNNING",
  SUCCEEDED: "FINISHED",
  FAILED: "FAILED",
  CRASHED: "FAILED",
  CANCELED: "KILLED",
};
const FROM_MLFLOW_STATUS: Partial<Record<MlflowStatus, Status>> = {
  RUNNING: "RUNNING",
  FINISHED: "SUCCEEDED",
  FAILED: "FAILED",
  KILLED: "CANCELED",
  // SCHEDULED is not mapped: a QUEUED run would be claimed by a runner, which has nothing to run.
};

export interface KeyValue {
  key: string;
  value: string;
}

interface ExperimentRow {
  id: string;
  name: string;
  tags: string[];
  createdAt: Date;
}

interface RunRow {
  id: string;
  experimentId: string | null;
  status: Status;
  runnerId: string | null;
  config: Record<string, unknown> | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** Encodes a double for MLflow's JSON: protobuf writes non-finite values as strings. */
export function jsonDouble(v: number): number | string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "-Infinity";
  return v;
}

// ---- experiments -----------------------------------------------------------------------------

function experimentJson(e: ExperimentRow) {
  const tags = e.tags
    .filter((t) => t.includes("="))
    .map((t) => ({ key: t.slice(0, t.indexOf("=")), value: t.slice(t.indexOf("=") + 1) }));
  const ms = String(e.createdAt.getTime());
  return { experiment_id: e.id, name: e.name, artifact_location: "", lifecycle_stage: "active", creation_time: ms, last_update_time: ms, tags };
}

const EXPERIMENT_COLUMNS = `"id", "name", "tags", "createdAt"`;

export async function getExperimentByName(db: pg.Pool, name: string) {
  const { rows } = await db.query<ExperimentRow>(
    `SELECT ${EXPERIMENT_COLUMNS} FROM "Experiment" WHERE "name" = $1 ORDER BY "createdAt", "id" LIMIT 1`,
    [name],
  );
  if (!rows[0]) throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `Could not find experiment with name '${name}'`);
  return experimentJson(rows[0]);
}

export async function getExperiment(db: pg.Pool | pg.ClientBase, id: string) {
  if (id === DEFAULT_EXPERIMENT_ID) return experimentJson(await defaultExperiment(db));
  const row = UUID.test(id)
    ? (await db.query<ExperimentRow>(`SELECT ${EXPERIMENT_COLUMNS} FROM "Experiment" WHERE "id" = $1`, [id])).rows[0]
    : undefined;
  if (!row) throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `No Experiment with id=${id} exists`);
  return experimentJson(row);
}

async function defaultExperiment(db: pg.Pool | pg.ClientBase): Promise<ExperimentRow> {
  const find = () =>
    db.query<ExperimentRow>(`SELECT ${EXPERIMENT_COLUMNS} FROM "Experiment" WHERE "tags" @> ARRAY[$1]::text[] ORDER BY "createdAt" LIMIT 1`, [
      DEFAULT_MARKER,
    ]);
  const found = (await find()).rows[0];
  if (found) return found;
  const { rows } = await db.query<ExperimentRow>(
    `INSERT INTO "Experiment" ("name", "tags") VALUES ('Default', ARRAY[$1, $2]::text[]) RETURNING ${EXPERIMENT_COLUMNS}`,
    [MLFLOW_MARKER, DEFAULT_MARKER],
  );
  return rows[0]!;
}

export async function createExperiment(db: pg.Pool, name: string, tags: KeyValue[]): Promise<string> {
  return withTransaction(db, async (client) => {
    // Serialises creators of the same name, so two clients cannot both pass the existence check.
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('mlflow-experiment:' || $1))`, [name]);
    const { rowCount } = await client.query(`SELECT 1 FROM "Experiment" WHERE "name" = $1`, [name]);
    if (rowCount) throw new MlflowError("RESOURCE_ALREADY_EXISTS", `Experiment '${name}' already exists.`);
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO "Experiment" ("name", "tags") VALUES ($1, $2::text[]) RETURNING "id"`,
      [name, [MLFLOW_MARKER, ...lastWins(tags).map((t) => `${t.key}=${t.value}`)]],
    );
    return rows[0]!.id;
  });
}

// ---- runs ------------------------------------------------------------------------------------

const RUN_COLUMNS = `"id", "experimentId", "status", "runnerId", "config", "createdAt", "startedAt", "finishedAt"`;

async function lockRun(client: pg.ClientBase, runId: string): Promise<RunRow> {
  if (!UUID.test(runId)) throw runNotFound(runId);
  const { rows } = await client.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM "Run" WHERE "id" = $1 FOR UPDATE`, [runId]);
  if (!rows[0]) throw runNotFound(runId);
  return rows[0];
}

async function runInfo(db: pg.Pool | pg.ClientBase, run: RunRow) {
  const { rows } = await db.query<KeyValue>(
    `SELECT "key", "value" FROM "RunAttribute" WHERE "runId" = $1 AND "kind" = 'tag' AND "key" IN ('mlflow.runName', 'mlflow.user')`,
    [run.id],
  );
  const tag = (k: string) => rows.find((r) => r.key === k)?.value;
  const cfg = run.config ?? {};
  return {
    run_id: run.id,
    run_uuid: run.id,
    run_name: tag("mlflow.runName") ?? (typeof cfg.runName === "string" ? cfg.runName : ""),
    experiment_id: run.experimentId ?? DEFAULT_EXPERIMENT_ID,
    user_id: tag("mlflow.user") ?? (typeof cfg.userId === "string" ? cfg.userId : ""),
    status: TO_MLFLOW_STATUS[run.status],
    start_time: String((run.startedAt ?? run.createdAt).getTime()),
    ...(run.finishedAt ? { end_time: String(run.finishedAt.getTime()) } : {}),
    artifact_uri: "",
    lifecycle_stage: "active",
  };
}

export async function getRun(db: pg.Pool, runId: string) {
  if (!UUID.test(runId)) throw runNotFound(runId);
  const { rows } = await db.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM "Run" WHERE "id" = $1`, [runId]);
  if (!rows[0]) throw runNotFound(runId);
  const [info, attrs, metrics] = await Promise.all([
    runInfo(db, rows[0]),
    db.query<KeyValue & { kind: string }>(`SELECT "kind", "key", "value" FROM "RunAttribute" WHERE "runId" = $1 ORDER BY "kind", "key"`, [runId]),
    db.query<{ key: string; last: number; lastStep: number; lastWallTime: Date }>(
      `SELECT "key", "last", "lastStep", "lastWallTime" FROM "MetricSummary" WHERE "runId" = $1 ORDER BY "key"`,
      [runId],
    ),
  ]);
  return {
    info,
    data: {
      metrics: metrics.rows.map((m) => ({ key: m.key, value: jsonDouble(m.last), timestamp: String(m.lastWallTime.getTime()), step: String(m.lastStep) })),
      params: attrs.rows.filter((a) => a.kind === "param").map(({ key, value }) => ({ key, value })),
      tags: attrs.rows.filter((a) => a.kind === "tag").map(({ key, value }) => ({ key, value })),
    },
    inputs: {},
  };
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
        ? await defaultExperiment(client)
        : await getExperiment(client, input.experimentId).then((e) => ({ id: e.experiment_id }));
    const tags = lastWins(input.tags);
    const wk = wellKnown(tags);
    const baseModelId = await baseModelIdFor(client, wk.base_model ?? DEFAULT_BASE_MODEL);
    const { rows } = await client.query<RunRow>(
      `INSERT INTO "Run" ("experimentId", "baseModelId", "rewardMethod", "task", "datasetSize", "seed", "config", "status",
                          "totalSteps", "startedAt")
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, 'RUNNING', $8, to_timestamp($9::float8 / 1000.0))
       RETURNING ${RUN_COLUMNS}`,
      [
        experiment.id,
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
    return { info: await runInfo(client, run), data: { metrics: [], params: [], tags: allTags }, inputs: {} };
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
    const run = await lockRun(client, input.runId);
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
    return { run_info: await runInfo(client, run) };
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
    const run = await lockRun(client, input.runId);
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

// ---- helpers ---------------------------------------------------------------------------------

function lastWins(items: KeyValue[]): KeyValue[] {
  return [...new Map(items.map((i) => [i.key, i])).values()];
}

