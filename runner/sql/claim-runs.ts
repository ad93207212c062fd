import type { Sql } from "../../server/db/sql";

// Claims up to $2 runs for runner $1 in ONE statement: queued runs, and running runs whose lease
// expired (their runner died or lost the database) and that another runner held.
//
// Why this locking strategy: `FOR UPDATE SKIP LOCKED` in a CTE lets any number of runners claim at
// once without blocking each other or taking the same row (a locked candidate is skipped, not waited
// for); the UPDATE ... RETURNING then flips the lock columns in the same statement, so there is no
// window between "chosen" and "marked" (graphile-worker's get_job and pg-boss's fetch do the same).
// Measured with bench/claim.ts (4 concurrent claimers, 400 runs, one per claim, 2 busy cores):
//   SKIP LOCKED 449 claims/s, 2 empty answers while work remained, 0 double claims;
//   plain FOR UPDATE 353 claims/s (claimers queue behind one another's row lock), 0 double claims;
//   pg_try_advisory_xact_lock in the WHERE 244 claims/s with 899 empty answers (the lock function
//   runs on rows the statement then discards, and the status recheck drops the rest).
// A SERIALIZABLE select-then-update would make concurrent claimers fail and retry under contention,
// and a queue library (graphile-worker, pg-boss) would keep a second copy of each run's state in its
// own tables, while long runs with checkpoints, cancel flags and leases read naturally as Run columns.
// Runs are jobs of minutes to hours, so one short statement per claim is never the bottleneck.
//
// The same statement settles runs that must not start again: a cancel requested while queued (or
// while its runner was dead) becomes CANCELED, and a run that has used all its attempts becomes
// CRASHED with the reason in `error`. The caller starts only the rows that come back RUNNING.
// A runner never reclaims its own expired lease ($1 is excluded): it is alive, and its heartbeat
// renews the lease as soon as the database answers again.
// The base model comes back with the run (whether an outside trainer runs it, and where its weights
// are), so starting a run needs no second read.
const CLAIM_RUNS = `
WITH candidates AS (
  SELECT "id" FROM "Run"
  WHERE "status" = 'QUEUED'
     OR ("status" = 'RUNNING' AND "leaseExpiresAt" < now() AND "runnerId" IS DISTINCT FROM $1)
  ORDER BY "createdAt", "id"
  LIMIT $2
  FOR UPDATE SKIP LOCKED
), decided AS (
  SELECT r."id",
         CASE WHEN r."cancelRequested" THEN 'CANCELED'
              WHEN r."attempts" >= r."maxAttempts" THEN 'CRASHED'
              ELSE 'RUNNING' END AS next_status,
         b."external", b."artifactPath"
  FROM "Run" r JOIN candidates c ON c."id" = r."id" JOIN "BaseModel" b ON b."id" = r."baseModelId"
)
UPDATE "Run" AS r SET
  "status" = d.next_status::"RunStatus",
  "runnerId" = CASE WHEN d.next_status = 'RUNNING' THEN $1 ELSE r."runnerId" END,
  "leaseExpiresAt" = CASE WHEN d.next_status = 'RUNNING' THEN now() + $3::int * interval '1 millisecond' END,
  "heartbeatAt" = CASE WHEN d.next_status = 'RUNNING' THEN now() ELSE r."heartbeatAt" END,
  "attempts" = CASE WHEN d.next_status = 'RUNNING' THEN r."attempts" + 1 ELSE r."attempts" END,
  "startedAt" = CASE WHEN d.next_status = 'RUNNING' THEN COALESCE(r."startedAt", now()) ELSE r."startedAt" END,
  "finishedAt" = CASE WHEN d.next_status = 'RUNNING' THEN NULL ELSE now() END,
  "error" = CASE
    WHEN d.next_status = 'CRASHED' THEN format(
      'Gave up after %s of %s attempts: %s', r."attempts", r."maxAttempts",
      CASE WHEN r."status" = 'RUNNING'
           THEN format('the lease of runner %s expired at %s (the runner died or lost the database)', r."runnerId", r."leaseExpiresAt")
           ELSE coalesce(r."error", 'the last attempt did not finish') END)
    ELSE r."error" END
FROM decided d
WHERE r."id" = d."id"
RETURNING r."id"::text AS "id", r."status", r."attempts", r."maxAttempts", r."config", r."experimentId"::text AS "experimentId",
          d."external", d."artifactPath"
`;

export interface ClaimedRun {
  id: string;
  /** Only RUNNING rows are started; the claim itself settled the others. */
  status: "RUNNING" | "CANCELED" | "CRASHED";
  attempts: number;
  maxAttempts: number;
  /** Run.config as stored: a TrainConfig for the engine, { command, ... } for an outside trainer. */
  config: unknown;
  experimentId: string | null;
  /** The base model is an outside trainer's: the run executes its config's command. */
  external: boolean;
  /** The base model's folder (manifest.json, weights.bin), relative to the repository root. */
  artifactPath: string | null;
}

/** Claims up to `limit` runs for `runnerId`, leased for `leaseMs`. */
export async function claimRuns(sql: Sql, runnerId: string, limit: number, leaseMs: number): Promise<ClaimedRun[]> {
  return sql<ClaimedRun>(CLAIM_RUNS, [runnerId, limit, leaseMs]);
}
