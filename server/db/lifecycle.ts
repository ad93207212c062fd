// MLflow's lifecycle for runs and experiments, in one place for the dashboard (tRPC, through Prisma)
// and the MLflow API (through pg): a deleted run or experiment keeps every row and can be restored;
// `npm run purge` (scripts/purge.ts) removes deleted runs for good.
//   - Deleting a run that a runner would still work on stops it first: a QUEUED run is CANCELED at
//     once, a RUNNING one is asked to cancel (it stops within seconds and keeps its metrics).
//   - Deleting an experiment deletes its active runs with the same timestamp; restoring it restores
//     exactly those (MLflow restores every run of the experiment, also ones deleted on their own).
import type pg from "pg";
import type { PrismaClient } from "./prisma";

/** One SQL statement with positional parameters, whichever client runs it. */
export type Sql = <Row>(text: string, values: readonly unknown[]) => Promise<Row[]>;

export const viaPg =
  (db: pg.Pool | pg.ClientBase): Sql =>
  async <Row>(text: string, values: readonly unknown[]) =>
    (await db.query(text, [...values])).rows as Row[];

export const viaPrisma =
  (prisma: Pick<PrismaClient, "$queryRawUnsafe">): Sql =>
  <Row>(text: string, values: readonly unknown[]) =>
    prisma.$queryRawUnsafe<Row[]>(text, ...values);

const DELETE_RUNS = `
WITH target AS (
  SELECT "id", "status", "runnerId" FROM "Run" WHERE "id" = ANY($1::uuid[]) FOR UPDATE
)
UPDATE "Run" r SET
  "deletedAt" = COALESCE(r."deletedAt", $2::timestamptz),
  "status" = CASE WHEN t."status" = 'QUEUED' THEN 'CANCELED'::"RunStatus" ELSE r."status" END,
  "finishedAt" = CASE WHEN t."status" = 'QUEUED' THEN $2::timestamptz ELSE r."finishedAt" END,
  "cancelRequested" = r."cancelRequested" OR t."status" IN ('QUEUED', 'RUNNING')
FROM target t
WHERE r."id" = t."id"
RETURNING r."id"::text AS "id", (t."status" = 'RUNNING' AND t."runnerId" IS NOT NULL) AS "stopping"`;

export interface DeleteRunsResult {
  /** The ids that exist (deleted now or before); callers answer 404 for the others. */
  found: string[];
  /** Running on a runner: asked to cancel, stopping within seconds. */
  stopping: number;
}

export async function deleteRuns(sql: Sql, ids: readonly string[], at = new Date()): Promise<DeleteRunsResult> {
  const rows = await sql<{ id: string; stopping: boolean }>(DELETE_RUNS, [ids, at]);
  return { found: rows.map((r) => r.id), stopping: rows.filter((r) => r.stopping).length };
}

/**
 * The advisory lock a purge holds on a run while it deletes the run's points in batches; a restore
 * takes it too (and skips a run it cannot take), so a run is never restored half purged.
 */
export const PURGE_LOCK_KEY = `hashtextextended('urlvr-purge:' || $1::text, 0)`;

const RESTORE_RUNS = `
UPDATE "Run" SET "deletedAt" = NULL
WHERE "id" = ANY($1::uuid[]) AND "deletedAt" IS NOT NULL
  AND pg_try_advisory_xact_lock(hashtextextended('urlvr-purge:' || "id"::text, 0))
RETURNING "id"::text AS "id"`;

/** The ids restored (those that were deleted, except any a purge is removing right now). */
export async function restoreRuns(sql: Sql, ids: readonly string[]): Promise<string[]> {
  return (await sql<{ id: string }>(RESTORE_RUNS, [ids])).map((r) => r.id);
}

const DELETE_EXPERIMENT = `
UPDATE "Experiment" SET "deletedAt" = $2::timestamptz, "updatedAt" = $2::timestamptz
WHERE "id" = $1::uuid AND "deletedAt" IS NULL RETURNING "id"::text AS "id"`;

const ACTIVE_RUNS_OF_EXPERIMENT = `SELECT "id"::text AS "id" FROM "Run" WHERE "experimentId" = $1::uuid AND "deletedAt" IS NULL`;

/** Deletes the experiment and its active runs; false when it was already deleted. Run it in a transaction. */
export async function deleteExperiment(sql: Sql, id: string, at = new Date()): Promise<boolean> {
  if ((await sql(DELETE_EXPERIMENT, [id, at])).length === 0) return false;
  const runs = await sql<{ id: string }>(ACTIVE_RUNS_OF_EXPERIMENT, [id]);
  if (runs.length > 0) await deleteRuns(sql, runs.map((r) => r.id), at);
  return true;
}

const RESTORE_EXPERIMENT = `
WITH old AS (SELECT "deletedAt" FROM "Experiment" WHERE "id" = $1::uuid AND "deletedAt" IS NOT NULL FOR UPDATE),
restored AS (
  UPDATE "Experiment" e SET "deletedAt" = NULL, "updatedAt" = now() FROM old WHERE e."id" = $1::uuid RETURNING old."deletedAt"
)
UPDATE "Run" r SET "deletedAt" = NULL FROM restored
WHERE r."experimentId" = $1::uuid AND r."deletedAt" = restored."deletedAt"
  AND pg_try_advisory_xact_lock(hashtextextended('urlvr-purge:' || r."id"::text, 0))
RETURNING r."id"::text AS "id"`;

const IS_DELETED_EXPERIMENT = `SELECT 1 AS x FROM "Experiment" WHERE "id" = $1::uuid AND "deletedAt" IS NOT NULL`;

/** Restores the experiment and the runs its delete took along; false when it was not deleted. */
export async function restoreExperiment(sql: Sql, id: string): Promise<boolean> {
  if ((await sql(IS_DELETED_EXPERIMENT, [id])).length === 0) return false;
  await sql(RESTORE_EXPERIMENT, [id]);
  return true;
}
