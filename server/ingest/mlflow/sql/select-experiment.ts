import type { Sql } from "../../../db/sql";
import type { ExperimentRow } from "../shapes";

// experiments/get and every request naming an experiment by id (the caller checks the id is a UUID:
// MLflow answers RESOURCE_DOES_NOT_EXIST for any other id, not a cast error).
const SELECT_EXPERIMENT = `
SELECT "id"::text AS "id", "name", "tags", "createdAt", "updatedAt", "deletedAt" FROM "Experiment" WHERE "id" = $1::uuid`;

export async function selectExperiment(sql: Sql, id: string): Promise<ExperimentRow | null> {
  const [row] = await sql<ExperimentRow>(SELECT_EXPERIMENT, [id]);
  return row ?? null;
}
