-- MLflow's lifecycle for runs and experiments: a deleted one keeps every row (restorable) and leaves
-- the tables, compare, leaderboard and exports; `npm run purge` removes deleted runs for good.
-- NULL = active. The partial index serves "active runs" filters without growing with deleted ones.
ALTER TABLE "Run" ADD COLUMN "deletedAt" TIMESTAMPTZ(3);
ALTER TABLE "Experiment" ADD COLUMN "deletedAt" TIMESTAMPTZ(3);
ALTER TABLE "Experiment" ADD COLUMN "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;
UPDATE "Experiment" SET "updatedAt" = "createdAt";
CREATE INDEX "Run_deletedAt_idx" ON "Run" ("deletedAt") WHERE "deletedAt" IS NOT NULL;
