import type { Sql } from "../../../db/sql";
import type { ExperimentRow } from "../shapes";

// experiments/get-by-name. Names are not unique in the Experiment table (the dashboard's launches may
// repeat one), so the oldest of a name answers, and always the same one (ties by the uuid, not its text).
const SELECT_EXPERIMENT_BY_NAME = `
SELECT e."id"::text AS "id", e."name", e."tags", e."createdAt", e."updatedAt", e."deletedAt" FROM "Experiment" e
WHERE e."name" = $1 ORDER BY e."createdAt", e."id" LIMIT 1`;

export async function selectExperimentByName(sql: Sql, name: string): Promise<ExperimentRow | null> {
  const [row] = await sql<ExperimentRow>(SELECT_EXPERIMENT_BY_NAME, [name]);
  return row ?? null;
}
