import type { Sql } from "../../../db/sql";

// runs/delete-tag: MLflow answers RESOURCE_DOES_NOT_EXIST for a tag that is not there, so the caller
// needs to know whether a row went.
const DELETE_RUN_TAG = `
DELETE FROM "RunAttribute" WHERE "runId" = $1::uuid AND "kind" = 'tag' AND "key" = $2
RETURNING "key"`;

/** True when the run had the tag. */
export async function deleteRunTag(sql: Sql, runId: string, key: string): Promise<boolean> {
  return (await sql(DELETE_RUN_TAG, [runId, key])).length > 0;
}
