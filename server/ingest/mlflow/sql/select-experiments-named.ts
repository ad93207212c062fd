import type { Sql } from "../../../db/sql";

// The check that a name is free (create, rename), under lockExperimentName: MLflow refuses a name a
// deleted experiment holds too, with its own message, so deletedAt comes along.
const SELECT_EXPERIMENTS_NAMED = `SELECT "id"::text AS "id", "deletedAt" FROM "Experiment" WHERE "name" = $1`;

export interface NamedExperiment {
  id: string;
  deletedAt: Date | null;
}

export async function selectExperimentsNamed(sql: Sql, name: string): Promise<NamedExperiment[]> {
  return sql<NamedExperiment>(SELECT_EXPERIMENTS_NAMED, [name]);
}
