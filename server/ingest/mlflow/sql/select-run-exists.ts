import type { Sql } from "../../../db/sql";

// metrics/get-history answers RESOURCE_DOES_NOT_EXIST for an unknown run, which an empty history
// alone cannot tell from a run that never logged the key.
const SELECT_RUN_EXISTS = `SELECT "id"::text AS "id" FROM "Run" WHERE "id" = $1::uuid`;

export async function selectRunExists(sql: Sql, runId: string): Promise<boolean> {
  return (await sql(SELECT_RUN_EXISTS, [runId])).length > 0;
}
