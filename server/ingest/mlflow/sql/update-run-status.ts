import type { Sql } from "../../../db/sql";
import type { Status } from "../shapes";

// runs/update's status: a terminal status sets finishedAt (end_time, else now), RUNNING clears it.
const UPDATE_RUN_STATUS = `
UPDATE "Run" SET "status" = $2::"RunStatus",
  "finishedAt" = CASE WHEN $3::boolean THEN to_timestamp(COALESCE($4::float8, extract(epoch FROM now()) * 1000) / 1000.0) END
WHERE "id" = $1::uuid
RETURNING "id"::text AS "id"`;

/** False when there is no such run. endTime: milliseconds since the epoch, null for now. */
export async function updateRunStatus(sql: Sql, runId: string, status: Status, terminal: boolean, endTime: number | null): Promise<boolean> {
  return (await sql(UPDATE_RUN_STATUS, [runId, status, terminal, endTime])).length > 0;
}
