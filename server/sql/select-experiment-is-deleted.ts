import type { Sql } from "../db/sql";

// Whether an experiment is deleted (so can be restored): asked apart from the restore itself, whose
// RETURNING lists runs and is empty as well for an experiment deleted without any.
const SELECT_EXPERIMENT_IS_DELETED = `SELECT 1 AS x FROM "Experiment" WHERE "id" = $1::uuid AND "deletedAt" IS NOT NULL`;

export async function selectExperimentIsDeleted(sql: Sql, id: string): Promise<boolean> {
  return (await sql(SELECT_EXPERIMENT_IS_DELETED, [id])).length > 0;
}
