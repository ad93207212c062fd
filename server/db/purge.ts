// `npm run purge`: removes deleted runs for good (their points, summaries, events, checkpoint and
// attributes), then deleted experiments that have no runs left. Each run's points go in batches of
// short statements, so no transaction grows with a run's size and writers to other runs never wait
// on it (only row locks of the purged run are taken). Runs still QUEUED or RUNNING are skipped: a
// deleted running run is stopping and its runner may still write its last points.
import type pg from "pg";
import { PURGE_LOCK_KEY } from "./lifecycle";

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

interface Candidate {
  id: string;
  points: number;
}

const CANDIDATES = `
SELECT r."id"::text AS "id", COALESCE((SELECT sum(s."count") FROM "MetricSummary" s WHERE s."runId" = r."id"), 0)::float8 AS "points"
  FROM "Run" r
 WHERE r."deletedAt" IS NOT NULL AND r."deletedAt" <= $1::timestamptz AND r."status" NOT IN ('QUEUED', 'RUNNING')
 ORDER BY r."deletedAt", r."id"`;

const STILL_DELETED = `SELECT 1 AS x FROM "Run" WHERE "id" = $1::uuid AND "deletedAt" IS NOT NULL AND "status" NOT IN ('QUEUED', 'RUNNING')`;

const DELETE_POINTS = `
DELETE FROM "MetricPoint" WHERE ctid = ANY(ARRAY(SELECT ctid FROM "MetricPoint" WHERE "runId" = $1::uuid LIMIT $2))`;

const DELETE_RUN = `DELETE FROM "Run" WHERE "id" = $1::uuid AND "deletedAt" IS NOT NULL`;

// Experiments go once none of their runs is left (Run.experimentId would otherwise be nulled).
const EMPTY_DELETED_EXPERIMENT = `
e."deletedAt" IS NOT NULL AND e."deletedAt" <= $1::timestamptz AND NOT EXISTS (SELECT 1 FROM "Run" r WHERE r."experimentId" = e."id")`;
const DELETE_EMPTY_EXPERIMENTS = `DELETE FROM "Experiment" e WHERE ${EMPTY_DELETED_EXPERIMENT}`;
const COUNT_EMPTY_EXPERIMENTS = `SELECT e."id" FROM "Experiment" e WHERE ${EMPTY_DELETED_EXPERIMENT}`;

export async function purgeDeleted(pool: pg.Pool, o: PurgeOptions): Promise<PurgeResult> {
  const cutoff = new Date((o.now ?? new Date()).getTime() - o.olderThanMs);
  const { rows: runs } = await pool.query<Candidate>(CANDIDATES, [cutoff]);
  const { rows: skippedRows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "Run" WHERE "deletedAt" IS NOT NULL AND "deletedAt" <= $1::timestamptz AND "status" IN ('QUEUED', 'RUNNING')`,
    [cutoff],
  );
  let skipped = skippedRows[0]!.n;
  const pointsTotal = runs.reduce((s, r) => s + r.points, 0);
  if (o.dryRun) {
    const { rows } = await pool.query(COUNT_EMPTY_EXPERIMENTS, [cutoff]);
    return { runs: runs.length, points: pointsTotal, experiments: rows.length, skipped };
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
    try {
      await client.query(`SELECT pg_advisory_lock(${PURGE_LOCK_KEY})`, [run.id]);
      try {
        if ((await client.query(STILL_DELETED, [run.id])).rowCount === 0) {
          skipped++;
          continue;
        }
        for (;;) {
          const { rowCount } = await client.query(DELETE_POINTS, [run.id, o.batchPoints]);
          pointsDone += rowCount ?? 0;
          report();
          if (!rowCount) break;
        }
        await client.query(DELETE_RUN, [run.id]);
        runsDone++;
        report();
      } finally {
        await client.query(`SELECT pg_advisory_unlock(${PURGE_LOCK_KEY})`, [run.id]);
      }
    } finally {
      client.release();
    }
  }
  const { rowCount: experiments } = await pool.query(DELETE_EMPTY_EXPERIMENTS, [cutoff]);
  return { runs: runsDone, points: pointsDone, experiments: experiments ?? 0, skipped };
}
