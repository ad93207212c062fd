import type { Sql } from "../../db/sql";

// Keeps Run.currentStep (never backwards) and, when the batch held the MCS metric, Run.mcsStep and
// mcsCensored, in the writer's transaction so the runs table never disagrees with the points.
// $3 = false leaves the MCS columns as they are.
const UPDATE_RUN_PROGRESS = `
UPDATE "Run" SET
  "currentStep" = GREATEST("currentStep", COALESCE($2::int, "currentStep")),
  "mcsStep" = CASE WHEN $3::boolean THEN $4::int ELSE "mcsStep" END,
  "mcsCensored" = CASE WHEN $3::boolean THEN $5::boolean ELSE "mcsCensored" END
WHERE "id" = $1::uuid
`;

export interface RunProgress {
  /** The newest step written (the run's currentStep never goes back). */
  maxStep: number;
  /** The run's MCS now; null leaves the stored one. */
  mcs: { step: number; censored: boolean } | null;
}

export async function updateRunProgress(sql: Sql, runId: string, progress: RunProgress): Promise<void> {
  const { mcs } = progress;
  await sql(UPDATE_RUN_PROGRESS, [runId, progress.maxStep, mcs !== null, mcs?.step ?? null, mcs?.censored ?? null]);
}
