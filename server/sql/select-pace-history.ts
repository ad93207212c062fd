import type { Sql } from "../db/sql";

// The runs wall-time estimates measure their pace from: per base model, the newest `perModel` runs
// that took a step, finished ones (SUCCEEDED) and running ones (their time so far, up to `now`), newest
// by when they ended or `now`. One window-function pass over Run instead of a query per model.
// paramCount is BIGINT: read as float8 so pg and Prisma both give a number.
const SELECT_PACE_HISTORY = `
SELECT r."baseModelId"::text AS "baseModelId", b."paramCount"::float8 AS "paramCount", r."config",
       EXTRACT(EPOCH FROM (r."until" - r."startedAt"))::float8 AS seconds, r."currentStep" AS steps
  FROM (SELECT *, COALESCE("finishedAt", $1::timestamptz) AS "until",
               row_number() OVER (PARTITION BY "baseModelId" ORDER BY COALESCE("finishedAt", $1::timestamptz) DESC) AS n
          FROM "Run"
         WHERE "startedAt" IS NOT NULL AND "currentStep" > 0
           AND ("status" = 'SUCCEEDED' AND "finishedAt" IS NOT NULL OR "status" = 'RUNNING')) r
  JOIN "BaseModel" b ON b."id" = r."baseModelId"
 WHERE r.n <= $2::int`;

export interface PaceHistoryRow {
  baseModelId: string;
  paramCount: number;
  config: unknown;
  /** Wall seconds from start to finish (or to `now` while running). */
  seconds: number;
  /** Steps taken. */
  steps: number;
}

export async function selectPaceHistory(sql: Sql, now: Date, perModel: number): Promise<PaceHistoryRow[]> {
  return sql<PaceHistoryRow>(SELECT_PACE_HISTORY, [now, perModel]);
}
