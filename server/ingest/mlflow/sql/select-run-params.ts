import type { Sql } from "../../../db/sql";

// MLflow's rule that a logged param never changes is checked against the values stored for the keys
// of one request only.
const SELECT_RUN_PARAMS = `
SELECT "key", "value" FROM "RunAttribute" WHERE "runId" = $1::uuid AND "kind" = 'param' AND "key" = ANY($2::text[])`;

export interface StoredParam {
  key: string;
  value: string;
}

/** The run's stored params of these keys (keys never logged are absent). */
export async function selectRunParams(sql: Sql, runId: string, keys: readonly string[]): Promise<StoredParam[]> {
  return sql<StoredParam>(SELECT_RUN_PARAMS, [runId, keys]);
}
