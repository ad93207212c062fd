// `npm run bench:ingest`: points per second stored by the metric writer and by the MLflow ingestion
// API, beside a naive one-INSERT-per-point baseline measured in the same run, on a throwaway embedded
// Postgres (or BENCH_DATABASE_URL, whose tables it fills with bench runs and then deletes).
//   BENCH_POINTS   points per writer measurement (default 500000)
import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import { createToken } from "../server/auth/tokens";
import { BufferedMetricWriter } from "../server/ingest/buffered-writer";
import { writeMetricBatch, type MetricPointInput } from "../server/ingest/metrics";
import { handleMlflowRequest } from "../server/ingest/mlflow/router";
import { createPool } from "../server/db/pool";
import { applyMigrations } from "../server/db/migrate";
import { OWN_PG_PORTS } from "../scripts/lib/ports";
import { startOwnTestDatabase } from "../testing/database";
import { insertBaseModel, insertRun } from "../testing/fixtures";
import { lockOwnedRun } from "../runner/sql/lock-owned-run";
import { viaPg } from "../server/db/sql";

/** The runner that owns the buffered path's run, so its fence passes as a live runner's does. */
const BENCH_RUNNER = "bench-runner";

const POINTS = Number(process.env.BENCH_POINTS ?? 500_000);
const KEYS = ["train/reward_accuracy", "train/label_accuracy", "actor/entropy", "actor/kl_ref", "actor/pg_loss", "actor/grad_norm", "actor/lr", "perf/step_seconds", "response/length_mean", "val/accuracy"];

function points(n: number, offset = 0): MetricPointInput[] {
  const out: MetricPointInput[] = [];
  for (let i = 0; i < n; i++) {
    const step = offset + Math.floor(i / KEYS.length) + 1;
    out.push({ key: KEYS[i % KEYS.length]!, step, value: i % 997 === 0 ? Number.NaN : Math.sin(i) + 0.5, wallTime: 1_700_000_000_000 + step });
  }
  return out;
}

/**
 * CPU seconds used so far by this process and by the bench's own Postgres (its postmaster, found by
 * its port, and the postmaster's children: the backends). On a busy machine wall time measures the
 * neighbours too; CPU time per point does not, so the table shows both. Embedded server only.
 */
function cpuSeconds(pgPort: number | null): number {
  const { user, system } = process.cpuUsage();
  let total = (user + system) / 1e6;
  if (pgPort === null) return total;
  const tick = 100; // USER_HZ on Linux
  const procs: Array<{ pid: number; ppid: number; cpu: number; cmd: string }> = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const cmd = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      procs.push({ pid: Number(entry), ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / tick, cmd });
    } catch {
      // ended meanwhile
    }
  }
  const master = procs.find((p) => p.cmd.includes("postgres") && p.cmd.includes(`-p\0${pgPort}\0`));
  if (master) for (const p of procs) if (p.pid === master.pid || p.ppid === master.pid) total += p.cpu;
  return total;
}

/** Exited backends take their CPU time with them, so the pool's connections stay open throughout. */
let lastCpu = 0;
let benchPgPort: number | null = null;
async function time(fn: () => Promise<void>): Promise<number> {
  const c0 = cpuSeconds(benchPgPort);
  const t0 = performance.now();
  await fn();
  lastCpu = cpuSeconds(benchPgPort) - c0;
  return (performance.now() - t0) / 1000;
}

async function main() {
  const external = process.env.BENCH_DATABASE_URL;
  const port = Number(process.env.BENCH_PG_PORT ?? OWN_PG_PORTS.ingestBench);
  const db = external ? null : await startOwnTestDatabase(port);
  benchPgPort = external ? null : port;
  const pool = db?.pool ?? createPool(external!, 8);
  if (external) await applyMigrations(pool);
  const baseModelId = await insertBaseModel(pool, `bench-${Date.now()}`);
  const newRun = () => insertRun(pool, { baseModelId, config: { steps: 1_000_000 } });
  const runs: string[] = [];
  const results: Array<[string, number, number, number]> = [];

  try {
    // 1. Baseline: one INSERT per point, autocommit, no summary (what a naive logger does).
    const naiveN = Math.min(5_000, POINTS);
    const naiveRun = await newRun();
    runs.push(naiveRun);
    const naivePts = points(naiveN);
    results.push(["naive: one INSERT per point (no summary)", naiveN, await time(async () => {
      for (const p of naivePts) {
        await pool.query(`INSERT INTO "MetricPoint" ("runId", "key", "step", "value", "wallTime") VALUES ($1, $2, $3, $4, to_timestamp($5 / 1000.0))`, [naiveRun, p.key, p.step, p.value, p.wallTime]);
      }
    }), lastCpu]);

    // 2. The writer: 10,000-point batches, summary + currentStep + MCS in the same transaction.
    const batchRun = await newRun();
    runs.push(batchRun);
    const all = points(POINTS);
    results.push(["writeMetricBatch, 10k-point batches (+ summary, MCS)", POINTS, await time(async () => {
      for (let i = 0; i < all.length; i += 10_000) await writeMetricBatch(pool, batchRun, all.slice(i, i + 10_000));
    }), lastCpu]);

    // 2b. Two runs written at once (a runner with two slots, or two runners).
    const parRuns = [await newRun(), await newRun()];
    runs.push(...parRuns);
    const half = all.slice(0, POINTS / 2);
    results.push(["writeMetricBatch, 10k batches, 2 runs in parallel", POINTS, await time(async () => {
      await Promise.all(parRuns.map(async (id) => {
        for (let i = 0; i < half.length; i += 10_000) await writeMetricBatch(pool, id, half.slice(i, i + 10_000));
      }));
    }), lastCpu]);

    // 3. The runner's path: per-step records into the buffered writer, flushed in the background, each
    // batch fenced on the run's owner as the runner does (runner/runner.ts).
    const bufRun = await newRun();
    runs.push(bufRun);
    await pool.query(`INSERT INTO "Runner" ("id", "host", "pid", "devices", "slots") VALUES ($1, 'bench', 0, '{cpu}', 1) ON CONFLICT DO NOTHING`, [BENCH_RUNNER]);
    await pool.query(`UPDATE "Run" SET "status" = 'RUNNING', "runnerId" = $2 WHERE "id" = $1`, [bufRun, BENCH_RUNNER]);
    const writer = new BufferedMetricWriter(pool, { flushIntervalMs: 100, fence: (client, runId) => lockOwnedRun(viaPg(client), runId, BENCH_RUNNER) });
    results.push(["BufferedMetricWriter, per-step adds (runner path)", POINTS, await time(async () => {
      for (let i = 0; i < all.length; i += KEYS.length) writer.addPoints(bufRun, all.slice(i, i + KEYS.length));
      await writer.close();
    }), lastCpu]);

    // 4. The MLflow API: log-batch requests of 1000 metrics (MLflow's limit), in process (no HTTP).
    const apiRun = await newRun();
    runs.push(apiRun);
    const { secret } = await createToken(pool, "bench");
    const apiN = Math.min(100_000, POINTS);
    const bodies: string[] = [];
    for (let i = 0; i < apiN; i += 1000) {
      const metrics = all.slice(i, i + 1000).map((p) => ({ key: p.key, value: Number.isNaN(p.value) ? "NaN" : p.value, timestamp: p.wallTime, step: p.step }));
      bodies.push(JSON.stringify({ run_id: apiRun, metrics }));
    }
    const post = (body: string) =>
      handleMlflowRequest(new Request("http://bench/api/2.0/mlflow/runs/log-batch", { method: "POST", headers: { authorization: `Bearer ${secret}` }, body }), pool);
    results.push(["MLflow runs/log-batch, 1000 per request, sequential", apiN, await time(async () => {
      for (const b of bodies) {
        const r = await post(b);
        if (r.status !== 200) throw new Error(`log-batch answered ${r.status}: ${await r.text()}`);
      }
    }), lastCpu]);
    const apiRun2 = await newRun();
    runs.push(apiRun2);
    const bodies2 = bodies.map((b) => b.replace(apiRun, apiRun2));
    results.push(["MLflow runs/log-batch, 1000 per request, 4 clients", apiN, await time(async () => {
      const queue = [...bodies2];
      await Promise.all(Array.from({ length: 4 }, async () => {
        for (let b = queue.shift(); b; b = queue.shift()) {
          const r = await post(b);
          if (r.status !== 200) throw new Error(`log-batch answered ${r.status}`);
        }
      }));
    }), lastCpu]);

    const { rows } = await pool.query(`SELECT "runId", count(*)::int AS n FROM "MetricPoint" WHERE "runId" = ANY($1) GROUP BY "runId"`, [runs]);
    const stored = new Map(rows.map((r) => [r.runId, r.n]));
    const load = os.loadavg().map((l) => l.toFixed(1)).join(" ");
    console.log(`\nIngest benchmark (${external ? "BENCH_DATABASE_URL" : "embedded PostgreSQL"}; ${KEYS.length} metric keys; ` +
      `${os.availableParallelism()} cores, load average ${load}: other work on the machine slows every row alike)\n`);
    console.log(`${"method".padEnd(56)} ${"points".padStart(9)} ${"seconds".padStart(8)} ${"points/s".padStart(10)} ${"pts/CPU-s".padStart(12)}  stored`);
    // results[i] wrote into runs[i], except the parallel entry, which wrote into two runs.
    let r = 0;
    for (const [name, n, s, cpu] of results) {
      const into = name.includes("2 runs in parallel") ? [runs[r++]!, runs[r++]!] : [runs[r++]!];
      const count = into.reduce((a, id) => a + (stored.get(id) ?? 0), 0);
      console.log(
        `${name.padEnd(56)} ${String(n).padStart(9)} ${s.toFixed(2).padStart(8)} ${Math.round(n / s).toString().padStart(10)} ` +
          `${Math.round(n / cpu).toString().padStart(12)}  ${count}`,
      );
    }
    const naiveRate = results[0]![1] / results[0]![2];
    const writerRate = results[1]![1] / results[1]![2];
    console.log(`\nwriter vs naive: ${(writerRate / naiveRate).toFixed(1)}x; goal >= 100,000 points/s: ${writerRate >= 100_000 ? "met" : "NOT met"}`);
  } finally {
    await pool.query(`DELETE FROM "Run" WHERE id = ANY($1)`, [runs]).catch(() => {});
    await pool.query(`DELETE FROM "BaseModel" WHERE id = $1`, [baseModelId]).catch(() => {});
    await pool.query(`DELETE FROM "ApiToken" WHERE name = 'bench'`).catch(() => {});
    await pool.query(`DELETE FROM "Runner" WHERE id = $1`, [BENCH_RUNNER]).catch(() => {});
    if (db) await db.close();
    else await pool.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
