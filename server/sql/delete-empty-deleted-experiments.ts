import type { Sql } from "../db/sql";
import { EMPTY_DELETED_EXPERIMENTS } from "./empty-deleted-experiments";

// A purge's last step: the deleted experiments none of whose runs is left (empty-deleted-experiments.ts),
// after their runs went. Few rows, so RETURNING their ids is the count.
const DELETE_EMPTY_DELETED_EXPERIMENTS = `DELETE FROM "Experiment" e WHERE ${EMPTY_DELETED_EXPERIMENTS} RETURNING e."id"::text AS "id"`;

/** The ids deleted. */
export async function deleteEmptyDeletedExperiments(sql: Sql, cutoff: Date): Promise<string[]> {
  return (await sql<{ id: string }>(DELETE_EMPTY_DELETED_EXPERIMENTS, [cutoff])).map((r) => r.id);
}
