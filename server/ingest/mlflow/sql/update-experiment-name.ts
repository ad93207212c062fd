import type { Sql } from "../../../db/sql";

// experiments/update renames; last_update_time moves with it.
const UPDATE_EXPERIMENT_NAME = `
UPDATE "Experiment" SET "name" = $2, "updatedAt" = now() WHERE "id" = $1::uuid RETURNING "id"::text AS "id"`;

/** False when there is no such experiment. */
export async function updateExperimentName(sql: Sql, id: string, name: string): Promise<boolean> {
  return (await sql(UPDATE_EXPERIMENT_NAME, [id, name])).length > 0;
}
