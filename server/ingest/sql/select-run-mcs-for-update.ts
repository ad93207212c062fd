import type { Sql } from "../../db/sql";

// Locks the Run row before a batch is written, so the writers of one run take turns (the MCS rules in
// metrics.ts rely on it) and a run that does not exist fails before any write. The threshold is read
// as jsonb, not cast, so a config without a numeric collapseThreshold (an outside trainer's) falls
// back to the default instead of failing the write.
const SELECT_RUN_MCS_FOR_UPDATE = `
SELECT "config"->'collapseThreshold' AS threshold, "mcsStep", "mcsCensored" FROM "Run" WHERE "id" = $1::uuid FOR UPDATE
`;

export interface RunMcs {
  /** TrainConfig.collapseThreshold; null when the config has no numeric one. */
  threshold: number | null;
  mcsStep: number | null;
  mcsCensored: boolean | null;
}

/** The run's MCS so far and its threshold, locking the row; null when there is no such run. */
export async function selectRunMcsForUpdate(sql: Sql, runId: string): Promise<RunMcs | null> {
  const [row] = await sql<{ threshold: unknown; mcsStep: number | null; mcsCensored: boolean | null }>(SELECT_RUN_MCS_FOR_UPDATE, [runId]);
  if (!row) return null;
  return { threshold: typeof row.threshold === "number" ? row.threshold : null, mcsStep: row.mcsStep, mcsCensored: row.mcsCensored };
}
