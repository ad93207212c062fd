import type { Sql } from "../db/sql";

// The run's row, once its points are gone in batches: its summaries, events, checkpoint and
// attributes go with it by the foreign keys' ON DELETE CASCADE (small, one statement). Only while
// still deleted, as a last guard against removing a restored run.
const DELETE_PURGED_RUN = `DELETE FROM "Run" WHERE "id" = $1::uuid AND "deletedAt" IS NOT NULL`;

export async function deletePurgedRun(sql: Sql, runId: string): Promise<void> {
  await sql(DELETE_PURGED_RUN, [runId]);
}
