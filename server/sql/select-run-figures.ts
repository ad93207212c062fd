import type { Sql } from "../db/sql";

// The leaderboard's runs: every finished, not deleted run with its MCS columns and config (the config
// names its protocol). Ids as text, so pg and Prisma give the same strings.
const SELECT_RUN_FIGURES = `
SELECT r."id"::text AS "runId", r."baseModelId"::text AS "baseModelId", r."rewardMethod", r."seed", r."mcsStep", r."mcsCensored", r."config"
  FROM "Run" r
 WHERE r."status" = 'SUCCEEDED' AND r."deletedAt" IS NULL`;

export interface RunFigureRow {
  runId: string;
  baseModelId: string;
  rewardMethod: string;
  seed: number;
  mcsStep: number | null;
  mcsCensored: boolean | null;
  config: unknown;
}

export async function selectRunFigures(sql: Sql): Promise<RunFigureRow[]> {
  return sql<RunFigureRow>(SELECT_RUN_FIGURES, []);
}
