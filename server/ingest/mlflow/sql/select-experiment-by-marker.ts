import type { Sql } from "../../../db/sql";
import type { ExperimentRow } from "../shapes";

// MLflow's default experiment "0" is found by its marker entry in Experiment.tags, not by name (a
// user may name an experiment "Default" too); the oldest wins if two were ever made.
const SELECT_EXPERIMENT_BY_MARKER = `
SELECT "id"::text AS "id", "name", "tags", "createdAt", "updatedAt", "deletedAt" FROM "Experiment"
WHERE "tags" @> ARRAY[$1]::text[] ORDER BY "createdAt" LIMIT 1`;

export async function selectExperimentByMarker(sql: Sql, marker: string): Promise<ExperimentRow | null> {
  const [row] = await sql<ExperimentRow>(SELECT_EXPERIMENT_BY_MARKER, [marker]);
  return row ?? null;
}
