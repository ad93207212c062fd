import type { Sql } from "../db/sql";
import { ACTIVE_STATUSES } from "../schemas/runs";

// Asked again under the run's purge lock, just before its points go: between the candidate list and
// the lock, a restore may have got in first, and then it wins (the purge skips the run).
const SELECT_RUN_STILL_PURGEABLE = `
SELECT 1 AS x FROM "Run" WHERE "id" = $1::uuid AND "deletedAt" IS NOT NULL AND "status"::text <> ALL($2::text[])`;

export async function selectRunStillPurgeable(sql: Sql, runId: string): Promise<boolean> {
  return (await sql(SELECT_RUN_STILL_PURGEABLE, [runId, ACTIVE_STATUSES])).length > 0;
}
