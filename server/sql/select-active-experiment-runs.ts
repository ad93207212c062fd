import type { Sql } from "../db/sql";

// The runs an experiment's delete takes along: its runs not deleted on their own before.
const SELECT_ACTIVE_EXPERIMENT_RUNS = `SELECT "id"::text AS "id" FROM "Run" WHERE "experimentId" = $1::uuid AND "deletedAt" IS NULL`;

/** Their ids. */
export async function selectActiveExperimentRuns(sql: Sql, experimentId: string): Promise<string[]> {
  return (await sql<{ id: string }>(SELECT_ACTIVE_EXPERIMENT_RUNS, [experimentId])).map((r) => r.id);
}
