// MLflow's lifecycle for runs and experiments, in one place for the dashboard (tRPC, through Prisma)
// and the MLflow API (through pg): a deleted run or experiment keeps every row and can be restored;
// `npm run purge` (scripts/purge.ts, server/db/purge.ts) removes deleted runs for good.
//   - Deleting a run that a runner would still work on stops it first: a QUEUED run is CANCELED at
//     once, a RUNNING one is asked to cancel (it stops within seconds and keeps its metrics).
//   - Deleting an experiment deletes its active runs with the same timestamp; restoring it restores
//     exactly those (MLflow restores every run of the experiment, also ones deleted on their own).
//   - A run a purge is removing right now cannot be restored (server/sql/purge-lock-key.ts).
// The statements live in server/sql/; this module is the rule that combines them, so both doors
// delete and restore alike. It takes an `Sql` so each door runs it in its own transaction.
import { markExperimentDeleted } from "../sql/mark-experiment-deleted";
import { markRunsDeleted } from "../sql/mark-runs-deleted";
import { restoreDeletedRuns } from "../sql/restore-deleted-runs";
import { restoreExperimentAndRuns } from "../sql/restore-experiment-and-runs";
import { selectActiveExperimentRuns } from "../sql/select-active-experiment-runs";
import { selectExperimentIsDeleted } from "../sql/select-experiment-is-deleted";
import type { Sql } from "./sql";

export interface DeleteRunsResult {
  /** The ids that exist (deleted now or before); callers answer 404 for the others. */
  found: string[];
  /** Running on a runner: asked to cancel, stopping within seconds. */
  stopping: number;
}

export async function deleteRuns(sql: Sql, ids: readonly string[], at = new Date()): Promise<DeleteRunsResult> {
  const rows = await markRunsDeleted(sql, ids, at);
  return { found: rows.map((r) => r.id), stopping: rows.filter((r) => r.stopping).length };
}

/** The ids restored (those that were deleted, except any a purge is removing right now). */
export async function restoreRuns(sql: Sql, ids: readonly string[]): Promise<string[]> {
  return restoreDeletedRuns(sql, ids);
}

/** Deletes the experiment and its active runs; false when it was already deleted. Run it in a transaction. */
export async function deleteExperiment(sql: Sql, id: string, at = new Date()): Promise<boolean> {
  if (!(await markExperimentDeleted(sql, id, at))) return false;
  const runs = await selectActiveExperimentRuns(sql, id);
  if (runs.length > 0) await deleteRuns(sql, runs, at);
  return true;
}

/** Restores the experiment and the runs its delete took along; false when it was not deleted. */
export async function restoreExperiment(sql: Sql, id: string): Promise<boolean> {
  if (!(await selectExperimentIsDeleted(sql, id))) return false;
  await restoreExperimentAndRuns(sql, id);
  return true;
}
