// MLflow experiments in the Experiment table: tags are kept as "key=value" entries beside an
// "mlflow" marker; MLflow's default experiment "0" is the Experiment named "Default" marked
// "mlflow:default", made on first use. Delete and restore follow server/db/lifecycle.ts.
import type pg from "pg";
import { deleteExperiment as deleteExperimentRows, restoreExperiment as restoreExperimentRows } from "../../db/lifecycle";
import { viaPg } from "../../db/sql";
import { withTransaction } from "../../db/pool";
import { MlflowError } from "./errors";
import { DEFAULT_EXPERIMENT_ID, experimentJson, lastWins, UUID, type ExperimentRow, type KeyValue } from "./shapes";
import { insertExperiment } from "./sql/insert-experiment";
import { lockExperimentName } from "./sql/lock-experiment-name";
import { selectExperiment } from "./sql/select-experiment";
import { selectExperimentByMarker } from "./sql/select-experiment-by-marker";
import { selectExperimentByName } from "./sql/select-experiment-by-name";
import { selectExperimentsNamed } from "./sql/select-experiments-named";
import { updateExperimentName } from "./sql/update-experiment-name";

const DEFAULT_MARKER = "mlflow:default";
const MLFLOW_MARKER = "mlflow";

export async function getExperimentByName(db: pg.Pool, name: string) {
  const row = await selectExperimentByName(viaPg(db), name);
  if (!row) throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `Could not find experiment with name '${name}'`);
  return experimentJson(row);
}

export async function getExperiment(db: pg.Pool | pg.ClientBase, id: string) {
  if (id === DEFAULT_EXPERIMENT_ID) return experimentJson(await defaultExperiment(db));
  const row = UUID.test(id) ? await selectExperiment(viaPg(db), id) : null;
  if (!row) throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `No Experiment with id=${id} exists`);
  return experimentJson(row);
}

export async function defaultExperiment(db: pg.Pool | pg.ClientBase): Promise<ExperimentRow> {
  const sql = viaPg(db);
  return (await selectExperimentByMarker(sql, DEFAULT_MARKER)) ?? insertExperiment(sql, "Default", [MLFLOW_MARKER, DEFAULT_MARKER]);
}

export async function createExperiment(db: pg.Pool, name: string, tags: KeyValue[]): Promise<string> {
  return withTransaction(db, async (client) => {
    const sql = viaPg(client);
    await lockExperimentName(sql, name);
    const same = await selectExperimentsNamed(sql, name);
    if (same.some((e) => e.deletedAt !== null)) {
      throw new MlflowError("RESOURCE_ALREADY_EXISTS", `Experiment '${name}' already exists in deleted state. You can restore the experiment, or permanently delete it with \`npm run purge\`.`);
    }
    if (same.length > 0) throw new MlflowError("RESOURCE_ALREADY_EXISTS", `Experiment '${name}' already exists.`);
    const created = await insertExperiment(sql, name, [MLFLOW_MARKER, ...lastWins(tags).map((t) => `${t.key}=${t.value}`)]);
    return created.id;
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
    const sql = viaPg(client);
    const rowId = await experimentRowId(client, id);
    await lockExperimentName(sql, name);
    const taken = (await selectExperimentsNamed(sql, name)).some((e) => e.id !== rowId);
    if (taken) throw new MlflowError("RESOURCE_ALREADY_EXISTS", `Experiment '${name}' already exists.`);
    await updateExperimentName(sql, rowId, name);
  });
}
