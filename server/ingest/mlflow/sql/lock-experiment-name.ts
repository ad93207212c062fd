import type { Sql } from "../../../db/sql";

// Serialises creators and renamers of the same name until their transaction ends, so two clients
// cannot both pass the check that the name is free. An advisory lock, because there is no row to lock
// yet (names are not unique in the table).
const LOCK_EXPERIMENT_NAME = `SELECT pg_advisory_xact_lock(hashtext('mlflow-experiment:' || $1))`;

export async function lockExperimentName(sql: Sql, name: string): Promise<void> {
  await sql(LOCK_EXPERIMENT_NAME, [name]);
}
