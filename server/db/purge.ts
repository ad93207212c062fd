// `npm run purge`: removes deleted runs for good (their points, summaries, events, checkpoint and
// attributes), then deleted experiments that have no runs left. Each run's points go in batches of
// short statements, so no transaction grows with a run's size and writers to other runs never wait
// on it (only row locks of the purged run are taken). Runs still QUEUED or RUNNING are skipped: a
// deleted running run is stopping and its runner may still write its last points.
import type pg from "pg";
import { countStoppingDeletedRuns } from "../sql/count-stopping-deleted-runs";
import { deleteEmptyDeletedExperiments } from "../sql/delete-empty-deleted-experiments";
import { deletePurgedRun } from "../sql/delete-purged-run";
import { deleteRunPointsBatch } from "../sql/delete-run-points-batch";
import { lockRunForPurge } from "../sql/lock-run-for-purge";
import { selectEmptyDeletedExperiments } from "../sql/select-empty-deleted-experiments";
import { selectPurgeCandidates } from "../sql/select-purge-candidates";
import { selectRunStillPurgeable } from "../sql/select-run-still-purgeable";
import { unlockRunForPurge } from "../sql/unlock-run-for-purge";
import { viaPg } from "./sql";

export interface PurgeOptions {
  /** Only runs and experiments deleted at least this long ago. */
  olderThanMs: number;
  /** Points per DELETE statement. */
  batchPoints: number;
  /** Count what would go, remove nothing. */
  dryRun: boolean;
  now?: Date;
  onProgress?(p: PurgeProgress): void;
}

export interface PurgeProgress {
  runsDone: number;
  runsTotal: number;
  pointsDone: number;
  pointsTotal: number;
  /** Seconds left at the pace so far; null before the first batch. */
  secondsLeft: number | null;
}

export interface PurgeResult {
  runs: number;
  points: number;
  experiments: number;
  /** Deleted runs left for later: still stopping (RUNNING), or restored while the purge ran. */
  skipped: number;
}

export async function purgeDeleted(pool: pg.Pool, o: PurgeOptions): Promise<PurgeResult> {
  const cutoff = new Date((o.now ?? new Date()).getTime() - o.olderThanMs);
  const db = viaPg(pool);
  const runs = await selectPurgeCandidates(db, cutoff);
  let skipped = await countStoppingDeletedRuns(db, cutoff);
  const pointsTotal = runs.reduce((s, r) => s + r.points, 0);
  if (o.dryRun) {
    const experiments = await selectEmptyDeletedExperiments(db, cutoff);
    return { runs: runs.length, points: pointsTotal, experiments: experiments.length, skipped };
  }

  const started = Date.now();
  let pointsDone = 0;
  let runsDone = 0;
  const report = () => {
    const elapsed = (Date.now() - started) / 1000;
    const rate = pointsDone > 0 && elapsed > 0 ? pointsDone / elapsed : null;
    o.onProgress?.({ runsDone, runsTotal: runs.length, pointsDone, pointsTotal, secondsLeft: rate ? Math.max(0, pointsTotal - pointsDone) / rate : null });
  };
  for (const run of runs) {
    // One connection per run holds the session-level advisory lock while its batches run.
    const client = await pool.connect();
    const onClient = viaPg(client);
    try {
      await lockRunForPurge(onClient, run.id);
      try {
        if (!(await selectRunStillPurgeable(onClient, run.id))) {
          skipped++;
          continue;
        }
        for (;;) {
          const deleted = await deleteRunPointsBatch(onClient, run.id, o.batchPoints);
          pointsDone += deleted;
          report();
          if (!deleted) break;
        }
        await deletePurgedRun(onClient, run.id);
        runsDone++;
        report();
      } finally {
        await unlockRunForPurge(onClient, run.id);
      }
    } finally {
      client.release();
    }
  }
  const experiments = await deleteEmptyDeletedExperiments(db, cutoff);
  return { runs: runsDone, points: pointsDone, experiments: experiments.length, skipped };
}
