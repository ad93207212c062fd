import type { Sql } from "../../../db/sql";
import type { ExperimentRow } from "../shapes";

// experiments/create and the default experiment made on first use. Tags are "key=value" entries
// beside marker entries (no "="), all in Experiment.tags.
const INSERT_EXPERIMENT = `
INSERT INTO "Experiment" ("name", "tags") VALUES ($1, $2::text[])
RETURNING "id"::text AS "id", "name", "tags", "createdAt", "updatedAt", "deletedAt"`;

export async function insertExperiment(sql: Sql, name: string, tags: readonly string[]): Promise<ExperimentRow> {
  const [row] = await sql<ExperimentRow>(INSERT_EXPERIMENT, [name, tags]);
  return row!;
}
