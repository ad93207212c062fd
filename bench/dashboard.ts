// Dashboard benchmark (not a test): fills a database with RUNS x STEPS x METRICS points (default
// 200 x 5,000 x 15 = 15 million) in SQL, then reports p50/p95 latency of the queries behind the
// pages: the run page's chart query (Postgres-side downsampling), a 10-run compare (lines and
// grouped bands), a filtered runs-table page, the leaderboard, and a full metric CSV export (rows/s),
// beside a naive baseline that reads every point of a run and downsamples in JavaScript.
//
//   npm run bench:dashboard -- [--runs 200] [--steps 5000] [--metrics 15] [--iterations 30]
//                              [--covering] [--reuse]
//   (tsx --conditions=react-server bench/dashboard.ts ...; the condition turns the
//   `server-only` guard of the services into a no-op outside Next.)
// Uses BENCH_DATABASE_URL when set (the database is filled: use a throwaway one), else an embedded
// PostgreSQL in a temporary folder. With --reuse and a BENCH_DATABASE_URL that an earlier run filled,
// the fill is skipped (for repeated measurements on the same 15M points).
import { mkdtempSync, rmSync, chmodSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type pg from "pg";
import { startEmbeddedPostgres } from "../scripts/lib/embedded-postgres";
import { OWN_PG_PORTS } from "../scripts/lib/ports";
import { applyMigrations } from "../server/db/migrate";
import { createPool } from "../server/db/pool";
import { createPrisma } from "../server/db/prisma";
import { METRIC_NAMES } from "../runner/engine/metrics/metric-names";
import { listRunsInputSchema } from "../server/schemas/runs";
import { getCompareSeries } from "../server/services/compare";
import { csvStream, METRIC_CSV_HEADER, metricRowBatches } from "../server/services/csv";
import { downsample } from "../server/services/downsample";
import { getLeaderboard } from "../server/services/leaderboard";
import { getMetricSeries } from "../server/services/metric-series";
import { listRuns } from "../server/services/runs";

const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "200" },
    steps: { type: "string", default: "5000" },
    metrics: { type: "string", default: "15" },
    iterations: { type: "string", default: "30" },
    // Force the covering primary key (value and wallTime in the index: index-only scans). Migration
    // 0002 defines it already; without the flag the fill rebuilds the key as the migrations left it.
    covering: { type: "boolean", default: false },
    // Reuse a database that an earlier run filled (BENCH_DATABASE_URL): skip the fill when points exist.
    reuse: { type: "boolean", default: false },
  },
});
const RUNS = Number(args.runs);
const STEPS = Number(args.steps);
const KEYS = METRIC_NAMES.slice(0, Number(args.metrics));
const ITER = Number(args.iterations);
const METHODS = ["majority_vote", "ground_truth", "self_certainty", "token_entropy"];
const MODELS = 10;

const log = (s: string) => console.log(`[bench] ${s}`);

async function fill(pool: pg.Pool): Promise<void> {
  const t0 = performance.now();
  await pool.query(`
    INSERT INTO "BaseModel" ("name", "family", "paramCount", "architecture", "staticEval")
    SELECT 'bench-' || m, 'bench', 100000, '{"width":64,"depth":2,"heads":4,"context":64,"vocabSize":54}',
           jsonb_build_object('greedyAccuracy', 0.2 + m * 0.03, 'passAtK', 0.5 + m * 0.04, 'k', 8, 'prompts', 256)
    FROM generate_series(1, ${MODELS}) m`);
  // Runs: statuses mostly SUCCEEDED; the collapse step of majority_vote runs grows with the model.
  await pool.query(
    `INSERT INTO "Run" ("baseModelId", "rewardMethod", "task", "datasetSize", "seed", "config", "status", "totalSteps",
                        "currentStep", "mcsStep", "mcsCensored", "createdAt")
     SELECT b."id", ($1::text[])[1 + g % 4], 'arith', 256, g / 40, '{"collapseThreshold":0.01}',
            (CASE WHEN g % 10 = 9 THEN 'FAILED' ELSE 'SUCCEEDED' END)::"RunStatus", $2, $2 - 1,
            CASE WHEN g % 4 = 0 THEN LEAST($2 - 1, 200 * (1 + (g / 4) % ${MODELS})) END,
            CASE WHEN g % 4 = 0 THEN 200 * (1 + (g / 4) % ${MODELS}) >= $2 - 1 END,
            now() - (g || ' minutes')::interval
     FROM generate_series(0, $3 - 1) g
     JOIN "BaseModel" b ON b."name" = 'bench-' || (1 + (g / 4) % ${MODELS})`,
    [METHODS, STEPS, RUNS],
  );
  // Points: drop the primary key, insert in bulk, build it again (far faster than 15M index inserts),
  // as the migrations defined it (or covering when --covering asks for it).
  const { rows: pk } = await pool.query<{ def: string }>(
    `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'MetricPoint_pkey'`,
  );
  await pool.query(`ALTER TABLE "MetricPoint" DROP CONSTRAINT "MetricPoint_pkey"`);
  const { rows: runs } = await pool.query<{ id: string; mcsStep: number | null }>(`SELECT "id", "mcsStep" FROM "Run" ORDER BY "id"`);
  for (let i = 0; i < runs.length; i += 20) {
    await pool.query(
      `INSERT INTO "MetricPoint" ("runId", "key", "step", "value", "wallTime")
       SELECT r.id, k.key, s,
              CASE WHEN k.key = 'train/reward_accuracy' AND r.mcs IS NOT NULL AND s >= r.mcs THEN 0.005
                   WHEN s % 997 = 13 THEN 'NaN'::float8
                   ELSE 0.5 + 0.4 * sin(s / 50.0 + k.ord) END,
              timestamptz '2026-01-01' + s * interval '2 seconds'
       FROM unnest($1::uuid[], $2::int[]) AS r(id, mcs)
       CROSS JOIN unnest($3::text[]) WITH ORDINALITY AS k(key, ord)
       CROSS JOIN generate_series(0, $4 - 1) s
       -- step-major, as concurrent runners write: one run's points are spread over the heap
       ORDER BY s, r.id, k.ord`,
      [runs.slice(i, i + 20).map((r) => r.id), runs.slice(i, i + 20).map((r) => r.mcsStep), KEYS, STEPS],
    );
  }
  const t1 = performance.now();
  await pool.query(`SET maintenance_work_mem = '1GB'`);
  await pool.query(
    `ALTER TABLE "MetricPoint" ADD CONSTRAINT "MetricPoint_pkey" ${args.covering ? `PRIMARY KEY ("runId", "key", "step") INCLUDE ("value", "wallTime")` : pk[0]!.def}`,
  );
  await pool.query(`
    INSERT INTO "MetricSummary" ("runId", "key", "last", "lastStep", "min", "max", "count", "lastWallTime")
    SELECT a."runId", a."key", p."value", a.last_step, a.mn, a.mx, a.n, p."wallTime"
    FROM (SELECT "runId", "key", max("step") AS last_step,
                 min("value") FILTER (WHERE "value" <> 'NaN') AS mn, max("value") FILTER (WHERE "value" <> 'NaN') AS mx, count(*)::int AS n
          FROM "MetricPoint" GROUP BY 1, 2) a
    JOIN "MetricPoint" p ON p."runId" = a."runId" AND p."key" = a."key" AND p."step" = a.last_step`);
  // VACUUM sets the visibility map (autovacuum does it for append-only tables in production), which
  // index-only scans need.
  await pool.query(`VACUUM ANALYZE`);
  const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "MetricPoint"`);
  log(`filled ${rows[0]!.n.toLocaleString("en-US")} points in ${((t1 - t0) / 1000).toFixed(1)} s, index and summaries in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function measure(name: string, fn: (i: number) => Promise<unknown>, iterations = ITER): Promise<void> {
  await fn(0); // warm-up
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    await fn(i + 1);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const p95 = quantile(times, 0.95);
  console.log(`${name.padEnd(52)} p50 ${quantile(times, 0.5).toFixed(1).padStart(8)} ms   p95 ${p95.toFixed(1).padStart(8)} ms ${p95 < 200 ? "" : "  (over 200 ms)"}`);
}

async function main(): Promise<void> {
  let url = process.env.BENCH_DATABASE_URL;
  let stop = async () => {};
  let dir: string | null = null;
  if (!url) {
    dir = mkdtempSync(path.join(os.tmpdir(), "urlvr-bench-pg-"));
    chmodSync(dir, 0o755);
    const pgHandle = await startEmbeddedPostgres({ dataDir: path.join(dir, "data"), port: Number(process.env.BENCH_PG_PORT ?? OWN_PG_PORTS.dashboardBench), persistent: false });
    url = pgHandle.url;
    stop = pgHandle.stop;
  }
  const pool = createPool(url, 4);
  const prisma = createPrisma(url);
  try {
    await applyMigrations(pool);
    const { rows: existing } = await pool.query(`SELECT 1 FROM "MetricPoint" LIMIT 1`);
    if (args.reuse && existing.length > 0) {
      log("reusing the points already in the database (--reuse)");
    } else {
      log(`filling ${RUNS} runs x ${STEPS} steps x ${KEYS.length} metrics = ${(RUNS * STEPS * KEYS.length).toLocaleString("en-US")} points`);
      await fill(pool);
    }
    const { rows: pkNow } = await pool.query<{ def: string }>(`SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'MetricPoint_pkey'`);
    log(`primary key of MetricPoint: ${pkNow[0]?.def}`);
    const { rows } = await pool.query<{ id: string }>(`SELECT "id" FROM "Run" ORDER BY "createdAt" DESC`);
    const ids = rows.map((r) => r.id);
    const pick = (i: number) => ids[(i * 37) % ids.length]!;
    const chartKeys = KEYS.slice(0, 6);
    console.log(`\nquery (${ITER} iterations each)`);
    await measure(`run page: ${chartKeys.length} metrics of 1 run, downsampled in SQL`, (i) =>
      getMetricSeries(prisma, { runIds: [pick(i)], keys: [...chartKeys] }),
    );
    await measure("run page, naive: read every point, downsample in JS", async (i) => {
      const { rows: pts } = await pool.query<{ key: string; step: number; value: number; wallTime: Date }>(
        `SELECT "key", "step", "value", "wallTime" FROM "MetricPoint" WHERE "runId" = $1 AND "key" = ANY($2) ORDER BY "key", "step"`,
        [pick(i), chartKeys],
      );
      for (const key of chartKeys) {
        downsample(pts.filter((p) => p.key === key).map((p) => ({ step: p.step, value: p.value, wallTime: p.wallTime.getTime() })), 1000);
      }
    });
    const ten = (i: number) => Array.from({ length: 10 }, (_, k) => pick(i * 10 + k));
    await measure("compare: 10 runs, 1 metric, one line per run", (i) => getCompareSeries(prisma, { runIds: ten(i), key: KEYS[0]!, groupBy: "run" }));
    await measure("compare: 10 runs, 1 metric, grouped by model (bands)", (i) => getCompareSeries(prisma, { runIds: ten(i), key: KEYS[0]!, groupBy: "model" }));
    await measure("runs table: status + model filter, page 2, sort by MCS", (i) =>
      listRuns(prisma, listRunsInputSchema.parse({ status: "SUCCEEDED", model: `bench-${1 + (i % MODELS)}`, sort: "mcs", page: 2, pageSize: 5 })),
    );
    await measure("runs table: no filter, page 3 of 25", () => listRuns(prisma, listRunsInputSchema.parse({ page: 3 })));
    await measure("leaderboard", () => getLeaderboard(prisma));

    console.log("\nCSV export (full history, unsampled)");
    for (const n of [1, 10]) {
      const runIds = ids.slice(0, n);
      const t = performance.now();
      const reader = csvStream(METRIC_CSV_HEADER, metricRowBatches(pool, runIds)).getReader();
      let bytes = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.byteLength;
      }
      const s = (performance.now() - t) / 1000;
      const points = n * STEPS * KEYS.length;
      console.log(`${`metrics.csv, ${n} run(s), ${points.toLocaleString("en-US")} rows`.padEnd(52)} ${s.toFixed(2)} s   ${Math.round(points / s).toLocaleString("en-US")} rows/s   ${(bytes / 1e6).toFixed(1)} MB`);
    }
  } finally {
    await prisma.$disconnect();
    await pool.end();
    await stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
