import type { Sql } from "../../../db/sql";
import type { Status } from "../shapes";

// The Run columns MLflow's RunInfo is made of, for a page of runs at once (runs/get, runs/search).
const SELECT_RUNS = `
SELECT r."id"::text AS "id", r."experimentId"::text AS "experimentId", r."status", r."config", r."createdAt", r."startedAt",
       r."finishedAt", r."deletedAt"
  FROM "Run" r WHERE r."id" = ANY($1::uuid[])`;

export interface RunInfoRow {
  id: string;
  experimentId: string | null;
  status: Status;
  config: unknown;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  deletedAt: Date | null;
}

/** The runs of these ids that exist, in no particular order. */
export async function selectRuns(sql: Sql, ids: readonly string[]): Promise<RunInfoRow[]> {
  return sql<RunInfoRow>(SELECT_RUNS, [ids]);
}
