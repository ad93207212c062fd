// Keeps Run.currentStep (never backwards) and, when the MCS metric arrived, Run.mcsStep/mcsCensored.
// $3 = false leaves the MCS columns as they are.
export const UPDATE_RUN_PROGRESS = `
UPDATE "Run" SET
  "currentStep" = GREATEST("currentStep", COALESCE($2::int, "currentStep")),
  "mcsStep" = CASE WHEN $3::boolean THEN $4::int ELSE "mcsStep" END,
  "mcsCensored" = CASE WHEN $3::boolean THEN $5::boolean ELSE "mcsCensored" END
WHERE "id" = $1::uuid
`;

/** The run's MCS so far and its threshold (TrainConfig.collapseThreshold), locking the row. */
export const SELECT_RUN_MCS_FOR_UPDATE = `
SELECT "config"->'collapseThreshold' AS threshold, "mcsStep", "mcsCensored" FROM "Run" WHERE "id" = $1::uuid FOR UPDATE
`;
