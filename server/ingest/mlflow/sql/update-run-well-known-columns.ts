import type { Sql } from "../../../db/sql";

// Well-known params and tags (base_model, reward_method, ...) fill the Run columns of the same names,
// so outside runs rank and filter like the runner's own. NULL leaves a column as it is.
const UPDATE_RUN_WELL_KNOWN_COLUMNS = `
UPDATE "Run" SET
  "baseModelId" = COALESCE($2::uuid, "baseModelId"), "rewardMethod" = COALESCE($3, "rewardMethod"), "task" = COALESCE($4, "task"),
  "datasetSize" = COALESCE($5::int, "datasetSize"), "seed" = COALESCE($6::int, "seed"), "totalSteps" = COALESCE($7::int, "totalSteps")
WHERE "id" = $1::uuid`;

export interface WellKnownColumns {
  baseModelId: string | null;
  rewardMethod: string | null;
  task: string | null;
  datasetSize: number | null;
  seed: number | null;
  totalSteps: number | null;
}

export async function updateRunWellKnownColumns(sql: Sql, runId: string, c: WellKnownColumns): Promise<void> {
  await sql(UPDATE_RUN_WELL_KNOWN_COLUMNS, [runId, c.baseModelId, c.rewardMethod, c.task, c.datasetSize, c.seed, c.totalSteps]);
}
