import type { Sql } from "../db/sql";
import { EMPTY_DELETED_EXPERIMENTS } from "./empty-deleted-experiments";

// What a purge's dry run reports it would remove of the experiments (empty-deleted-experiments.ts).
const SELECT_EMPTY_DELETED_EXPERIMENTS = `SELECT e."id"::text AS "id" FROM "Experiment" e WHERE ${EMPTY_DELETED_EXPERIMENTS}`;

/** Their ids. */
export async function selectEmptyDeletedExperiments(sql: Sql, cutoff: Date): Promise<string[]> {
  return (await sql<{ id: string }>(SELECT_EMPTY_DELETED_EXPERIMENTS, [cutoff])).map((r) => r.id);
}
