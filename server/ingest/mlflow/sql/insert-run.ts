import type { Sql } from "../../../db/sql";

// runs/create: an outside trainer's run is RUNNING from the start (no runner claims it) and fills the
// Run columns the leaderboard ranks by from its well-known tags. start_time is milliseconds; the
// default is the caller's clock, as MLflow's client sends it.
const INSERT_RUN = `
INSERT INTO "Run" ("experimentId", "baseModelId", "rewardMethod", "task", "datasetSize", "seed", "config", "status",
                   "totalSteps", "startedAt")
VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, $7::jsonb, 'RUNNING', $8, to_timestamp($9::float8 / 1000.0))
RETURNING "id"::text AS "id"`;

export interface NewRun {
  experimentId: string;
  baseModelId: string;
  rewardMethod: string;
  task: string;
  datasetSize: number;
  seed: number;
  /** Stored as Run.config (jsonb). */
  config: Record<string, unknown>;
  totalSteps: number;
  /** Milliseconds since the epoch. */
  startTime: number;
}

/** The new run's id. */
export async function insertRun(sql: Sql, run: NewRun): Promise<string> {
  const [row] = await sql<{ id: string }>(INSERT_RUN, [
    run.experimentId,
    run.baseModelId,
    run.rewardMethod,
    run.task,
    run.datasetSize,
    run.seed,
    JSON.stringify(run.config),
    run.totalSteps,
    run.startTime,
  ]);
  return row!.id;
}
