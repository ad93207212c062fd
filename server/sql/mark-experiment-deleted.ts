import type { Sql } from "../db/sql";

// Deletes an experiment the MLflow way (the row stays). Only a live one: the timestamp it gets is
// the one its runs are deleted with, which a restore later matches to bring back exactly those runs,
// so a second delete must not move it.
const MARK_EXPERIMENT_DELETED = `
UPDATE "Experiment" SET "deletedAt" = $2::timestamptz, "updatedAt" = $2::timestamptz
WHERE "id" = $1::uuid AND "deletedAt" IS NULL RETURNING "id"::text AS "id"`;

/** False when there is no live experiment with this id (unknown or already deleted). */
export async function markExperimentDeleted(sql: Sql, id: string, at: Date): Promise<boolean> {
  return (await sql(MARK_EXPERIMENT_DELETED, [id, at])).length > 0;
}
