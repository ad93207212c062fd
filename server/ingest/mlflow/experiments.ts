// MLflow experiments in the Experiment table: tags are kept as "key=value" entries beside an
// "mlflow" marker; MLflow's default experiment "0" is the Experiment named "Default" marked
// "mlflow:default", made on first use. Delete and restore follow server/db/lifecycle.ts.
import type pg from "pg";
import { deleteExperiment as deleteExperimentRows, restoreExperiment as restoreExperimentRows, viaPg } from "../../db/lifecycle";
import { withTransaction } from "../../db/pool";
import { MlflowError } from "./errors";
import { DEFAULT_EXPERIMENT_ID, experimentJson, lastWins, UUID, type ExperimentRow, type KeyValue } from "./shapes";

const DEFAULT_MARKER = "mlflow:default";
const MLFLOW_MARKER = "mlflow";

const EXPERIMENT_COLUMNS = `"id", "name", "tags", "createdAt", "updatedAt", "deletedAt"`;

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

export async function defaultExperiment(db: pg.Pool | pg.ClientBase): Promise<ExperimentRow> {
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
    const { rows: same } = await client.query<{ deletedAt: Date | null }>(`SELECT "deletedAt" FROM "Experiment" WHERE "name" = $1`, [name]);
    if (same.some((e) => e.deletedAt !== null)) {
      throw new MlflowError("RESOURCE_ALREADY_EXISTS", `Experiment '${name}' already exists in deleted state. You can restore the experiment, or permanently delete it with \`npm run purge\`.`);
    }
    if (same.length > 0) throw new MlflowError("RESOURCE_ALREADY_EXISTS", `Experiment '${name}' already exists.`);
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO "Experiment" ("name", "tags") VALUES ($1, $2::text[]) RETURNING "id"`,
      [name, [MLFLOW_MARKER, ...lastWins(tags).map((t) => `${t.key}=${t.value}`)]],
    );
    return rows[0]!.id;
  });
}

/** The experiment's row id (the default experiment "0" included), or RESOURCE_DOES_NOT_EXIST. */
async function experimentRowId(db: pg.Pool | pg.ClientBase, id: string): Promise<string> {
  return (await getExperiment(db, id)).experiment_id;
}

export async function deleteExperiment(db: pg.Pool, id: string): Promise<void> {
  await withTransaction(db, async (client) => {
    await deleteExperimentRows(viaPg(client), await experimentRowId(client, id));
  });
}

export async function restoreExperiment(db: pg.Pool, id: string): Promise<void> {
  await withTransaction(db, async (client) => {
    await restoreExperimentRows(viaPg(client), await experimentRowId(client, id));
  });
}

export async function renameExperiment(db: pg.Pool, id: string, name: string): Promise<void> {
  await withTransaction(db, async (client) => {
    const rowId = await experimentRowId(client, id);
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('mlflow-experiment:' || $1))`, [name]);
    const { rowCount } = await client.query(`SELECT 1 FROM "Experiment" WHERE "name" = $1 AND "id" <> $2`, [name, rowId]);
    if (rowCount) throw new MlflowError("RESOURCE_ALREADY_EXISTS", `Experiment '${name}' already exists.`);
    await client.query(`UPDATE "Experiment" SET "name" = $2, "updatedAt" = now() WHERE "id" = $1`, [rowId, name]);
  });
}
