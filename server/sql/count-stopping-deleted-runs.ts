import type { Sql } from "../db/sql";
import { ACTIVE_STATUSES } from "../schemas/runs";

// The deleted runs a purge leaves for later because they are still QUEUED or RUNNING (stopping): the
// complement of select-purge-candidates.ts among runs deleted before the cutoff, so the purge can
// say how many it skipped.
const COUNT_STOPPING_DELETED_RUNS = `
SELECT count(*)::int AS n FROM "Run" WHERE "deletedAt" IS NOT NULL AND "deletedAt" <= $1::timestamptz AND "status"::text = ANY($2::text[])`;

export async function countStoppingDeletedRuns(sql: Sql, cutoff: Date): Promise<number> {
  const [row] = await sql<{ n: number }>(COUNT_STOPPING_DELETED_RUNS, [cutoff, ACTIVE_STATUSES]);
  return row?.n ?? 0;
}
