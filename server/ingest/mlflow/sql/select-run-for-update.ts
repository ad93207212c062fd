import type { Sql } from "../../../db/sql";

// Every MLflow write to a run locks its Run row first, so the run's writers (this API and the metric
// writer, which locks the same row) take turns and a deleted run cannot take a write mid-request.
const SELECT_RUN_FOR_UPDATE = `
SELECT "id"::text AS "id", "runnerId"::text AS "runnerId", "deletedAt" FROM "Run" WHERE "id" = $1::uuid FOR UPDATE`;

export interface LockedRun {
  id: string;
  /** Set for runs a runner launched: the runner owns their status. */
  runnerId: string | null;
  deletedAt: Date | null;
}

/** The run, locked until the transaction ends; null when there is none. */
export async function selectRunForUpdate(sql: Sql, runId: string): Promise<LockedRun | null> {
  const [row] = await sql<LockedRun>(SELECT_RUN_FOR_UPDATE, [runId]);
  return row ?? null;
}
