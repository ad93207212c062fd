// A runner killed with SIGKILL mid-run, Postgres stopped mid-run (shorter and longer than the lease),
// and a worker that stops making progress (SIGSTOP), with the real engine training a tiny model
// pretrained here. A step takes milliseconds, so these runs have hundreds or thousands of steps to
// still be going when the fault strikes.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { differences, pointCounts, referenceMetrics, tinyConfig, tinyModel, withoutPerf, type TinyModel } from "../testing/engine";
import { FAST_FLAGS, isAlive, printOutputsIfFailed, runStatus, runWorkerPids, startRunner, stopRunner, storedMetrics, waitFor, workerPids, type RunnerProcess } from "../testing/runner-processes";
import { OWN_PG_PORTS } from "../scripts/lib/ports";
import { startOwnTestDatabase, type TestDatabase } from "../testing/database";
import { insertBaseModel, insertRun } from "../testing/fixtures";

let db: TestDatabase;
let tiny: TinyModel;
let baseModelId: string;
const runners: RunnerProcess[] = [];

beforeAll(async () => {
  [db, tiny] = await Promise.all([startOwnTestDatabase(OWN_PG_PORTS.runnerFaultsTest), tinyModel("runner-faults")]);
});
afterAll(async () => {
  await db?.close();
  tiny?.remove();
});
beforeEach(async () => {
  await db.reset();
  baseModelId = await insertBaseModel(db.pool, "tiny", false, tiny.model);
});
afterEach(async (ctx) => {
  printOutputsIfFailed(ctx, runners);
  await Promise.all(runners.splice(0).map(stopRunner));
});

function runner(args: string[]) {
  const r = startRunner(db.url, ["--slots", "1", "--devices", "cpu", ...args]);
  runners.push(r);
  return r;
}

async function errorEvents(runId: string): Promise<string[]> {
  const { rows } = await db.pool.query<{ message: string }>(`SELECT message FROM "RunEvent" WHERE "runId" = $1 AND level = 'error' ORDER BY id`, [runId]);
  return rows.map((r) => r.message);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function summaryCounts(runId: string): Promise<Record<string, number>> {
  const { rows } = await db.pool.query<{ key: string; count: number }>(`SELECT key, count FROM "MetricSummary" WHERE "runId" = $1`, [runId]);
  return Object.fromEntries(rows.map((r) => [r.key, r.count]));
}

describe("faults", () => {
  it("kill -9 of a runner mid-run: another runner resumes from the checkpoint; every step stored once, as uninterrupted", async () => {
    const config = tinyConfig(tiny.model, { steps: 250, checkpointEvery: 25, valEvery: 50, seed: 21 });
    const id = await insertRun(db.pool, { baseModelId, seed: 21, config });
    const doomed = runner(FAST_FLAGS);
    // The uninterrupted run, computed here while the runners work.
    const reference = referenceMetrics(config);
    await waitFor("progress past a checkpoint", async () => {
      const s = await runStatus(db.pool, id);
      return s.checkpointStep !== null && s.checkpointStep >= 50 && s.currentStep >= 55;
    }, 30_000, 50);
    const pids = workerPids(doomed.proc.pid!);
    expect(pids.length).toBe(1);
    doomed.proc.kill("SIGKILL");
    await doomed.exited;
    // The orphaned worker notices its parent is gone and stops writing.
    await waitFor("the orphaned worker to exit", async () => pids.every((p) => !isAlive(p)), 5_000);
    expect((await runStatus(db.pool, id)).currentStep).toBeLessThan(250); // interrupted, not finished
    const survivor = runner(FAST_FLAGS);
    await waitFor("SUCCEEDED", async () => (await runStatus(db.pool, id)).status === "SUCCEEDED", 30_000, 200);
    const s = await runStatus(db.pool, id);
    expect(s).toMatchObject({ attempts: 2, currentStep: 250 });
    expect(survivor.output.join("\n")).toContain(`run ${id}: claimed (attempt 2)`);
    const want = await reference;
    expect(differences(withoutPerf(await storedMetrics(db.pool, id)), withoutPerf(want))).toEqual([]);
    const { rows } = await db.pool.query(`SELECT message FROM "RunEvent" WHERE "runId" = $1 AND message LIKE '%resum%'`, [id]);
    expect(rows.length).toBeGreaterThan(0);
    // Every key counted once per step (perf/* too), validation keys at steps 0, 50, ..., 250.
    expect(await summaryCounts(id)).toEqual(pointCounts(want));
  }, 60_000);

  it("Postgres stopped for 10 s mid-run: the run finishes with no point lost or duplicated", async () => {
    const config = tinyConfig(tiny.model, { steps: 2000, checkpointEvery: 250, valEvery: 500, seed: 5 });
    const id = await insertRun(db.pool, { baseModelId, seed: 5, config });
    // The lease outlives the outage, so nobody else may take the run meanwhile.
    const r = runner(["--heartbeat-ms", "1000", "--lease-ms", "30000", "--poll-ms", "200"]);
    // The uninterrupted run, computed here while the runner works (and through the outage).
    const reference = referenceMetrics(config);
    await waitFor("progress", async () => (await runStatus(db.pool, id)).currentStep >= 100, 30_000, 50);
    await db.stopServer();
    // The worker trains on meanwhile; its points wait in the runner's buffer.
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    await db.startServer();
    await waitFor("SUCCEEDED", async () => (await runStatus(db.pool, id).catch(() => null))?.status === "SUCCEEDED", 60_000, 250);
    expect(await runStatus(db.pool, id)).toMatchObject({ attempts: 1, currentStep: 2000 });
    expect(r.output.join("\n")).toMatch(/metric writer: .* \(buffered; retrying\)/);
    const want = await reference;
    expect(differences(withoutPerf(await storedMetrics(db.pool, id)), withoutPerf(want))).toEqual([]);
    expect(await summaryCounts(id)).toEqual(pointCounts(want));
  }, 90_000);

  it("a worker that stops making progress (SIGSTOP) is killed by the step watchdog: a failed attempt each time, CRASHED after the last", async () => {
    const config = tinyConfig(tiny.model, { steps: 100_000, checkpointEvery: 20, seed: 31 });
    const id = await insertRun(db.pool, { baseModelId, seed: 31, config, maxAttempts: 2 });
    const r = runner([...FAST_FLAGS, "--stall-ms", "4000"]);
    // Attempt 1 is stopped once it has trained (the watchdog has step intervals), attempt 2 as soon
    // as its process exists, long before its first step (the floor alone).
    await waitFor("progress", async () => (await runStatus(db.pool, id)).currentStep >= 30, 30_000, 50);
    const [first] = await runWorkerPids(db.pool, id);
    process.kill(first!, "SIGSTOP");
    const second = await waitFor("attempt 2's worker", async () => workerPids(r.proc.pid!).find((p) => p !== first), 30_000, 5);
    process.kill(second, "SIGSTOP");
    await waitFor("CRASHED", async () => (await runStatus(db.pool, id)).status === "CRASHED", 30_000, 200);

    const stalls = (await errorEvents(id)).filter((m) => m.startsWith("no step for"));
    expect(stalls).toHaveLength(2);
    expect(stalls[0]).toMatch(
      new RegExp(`^no step for [\\d.]+ s \\(limit 4 s = the floor \\(--stall-ms\\); 20 x median step [\\d.]+ s is less\\): worker process ${first} killed$`),
    );
    expect(stalls[1]).toMatch(new RegExp(`^no step for [\\d.]+ s \\(limit 4 s = the floor \\(--stall-ms\\); no step interval seen yet\\): worker process ${second} killed$`));
    // Attempt 1 was handed back counted (not as a shutdown), attempt 2 used the last one up.
    const out = r.output.join("\n");
    expect(out).toContain(`run ${id}: handed back to the queue`);
    expect(out).toContain(`run ${id}: claimed (attempt 2)`);
    const s = await runStatus(db.pool, id);
    expect(s).toMatchObject({ status: "CRASHED", attempts: 2, error: `Gave up after 2 of 2 attempts: ${stalls[1]}` });
    expect([first!, second].filter(isAlive)).toEqual([]);
    const { rows } = await db.pool.query(`SELECT message FROM "RunEvent" WHERE "runId" = $1 AND message LIKE 'attempt %' ORDER BY id`, [id]);
    expect(rows.map((e) => e.message.replace(/ on runner .*/, ""))).toEqual(["attempt 1 of 2", "attempt 2 of 2"]);
  }, 60_000);

  // The lease is 3 s, the outage 9 s; the buffer holds 1,500 points (about 90 steps), so the worker is
  // held during the outage rather than training on into memory, and the watchdog (4 s) must not count
  // that time as a hang.
  const LEASE_FLAGS = ["--heartbeat-ms", "1000", "--lease-ms", "3000", "--poll-ms", "200", "--max-buffered-points", "1500", "--stall-ms", "4000"];
  const OUTAGE_MS = 9_000;

  it("Postgres stopped for 3x the lease (9 s, lease 3 s), nobody else running: the runner keeps its run, holds its worker at the buffer bound, every step stored once", async () => {
    const config = tinyConfig(tiny.model, { steps: 500, checkpointEvery: 25, valEvery: 100, seed: 17 });
    const id = await insertRun(db.pool, { baseModelId, seed: 17, config });
    const r = runner(LEASE_FLAGS);
    const reference = referenceMetrics(config);
    await waitFor("progress", async () => (await runStatus(db.pool, id)).currentStep >= 60, 30_000, 50);
    await db.stopServer();
    const down = Date.now();
    await waitFor("the worker to be held", async () => r.output.some((l) => l.includes(`run ${id}: worker held after step`)), OUTAGE_MS, 50);
    await sleep(OUTAGE_MS - (Date.now() - down));
    await db.startServer();
    await waitFor("SUCCEEDED", async () => (await runStatus(db.pool, id).catch(() => null))?.status === "SUCCEEDED", 60_000, 250);
    // Its lease expired in the outage; with no other runner to claim it, the heartbeat renewed it.
    expect(await runStatus(db.pool, id)).toMatchObject({ attempts: 1, currentStep: 500 });
    expect(r.output.join("\n")).toMatch(new RegExp(`run ${id}: worker released after \\d+ ms`));
    const { rows: held } = await db.pool.query(`SELECT message FROM "RunEvent" WHERE "runId" = $1 AND message LIKE 'held after step %'`, [id]);
    expect(held).toHaveLength(1);
    expect(await errorEvents(id)).toEqual([]); // no watchdog kill, no crash
    const want = await reference;
    expect(differences(withoutPerf(await storedMetrics(db.pool, id)), withoutPerf(want))).toEqual([]);
    expect(await summaryCounts(id)).toEqual(pointCounts(want));
  }, 90_000);

  it("Postgres stopped for 3x the lease (9 s, lease 3 s) and its runner still away when it returns: a standby runner takes the run over, the old one writes none of its held points and kills its worker; every step stored once", async () => {
    const config = tinyConfig(tiny.model, { steps: 500, checkpointEvery: 25, valEvery: 100, seed: 19 });
    const id = await insertRun(db.pool, { baseModelId, seed: 19, config });
    const old = runner(LEASE_FLAGS);
    await waitFor("the first runner to claim the run", async () => (await runStatus(db.pool, id)).status === "RUNNING", 30_000, 50);
    const standby = runner(LEASE_FLAGS);
    const reference = referenceMetrics(config);
    await waitFor("progress past a checkpoint", async () => ((await runStatus(db.pool, id)).checkpointStep ?? 0) >= 50, 30_000, 50);
    await db.stopServer();
    const down = Date.now();
    await waitFor("the worker to be held", async () => old.output.some((l) => l.includes(`run ${id}: worker held after step`)), OUTAGE_MS, 50);
    await sleep(OUTAGE_MS - (Date.now() - down));
    // The old runner is away (stopped) when Postgres returns, so the standby finds the lease expired.
    old.proc.kill("SIGSTOP");
    try {
      await db.startServer();
      await waitFor("the standby to claim the run", async () => standby.output.some((l) => l.includes(`run ${id}: claimed (attempt 2)`)), 30_000, 50);
    } finally {
      old.proc.kill("SIGCONT");
    }
    await waitFor("the old runner to give the run up", async () => old.output.some((l) => l.includes(`run ${id}: lost to another runner; left to it`)), 30_000, 50);
    await waitFor("SUCCEEDED", async () => (await runStatus(db.pool, id)).status === "SUCCEEDED", 60_000, 250);
    expect(await runStatus(db.pool, id)).toMatchObject({ attempts: 2, currentStep: 500 });
    const workers = await runWorkerPids(db.pool, id);
    expect(workers).toHaveLength(2);
    expect(isAlive(workers[0]!)).toBe(false); // killed by its runner once it knew the run was lost
    expect(workerPids(old.proc.pid!)).toEqual([]);
    // Its held worker never went on: its batch was fenced out (or dropped when the heartbeat found
    // the run taken), not written over the new owner's points.
    expect(old.output.join("\n")).not.toContain(`run ${id}: worker released`);
    const want = await reference;
    expect(differences(withoutPerf(await storedMetrics(db.pool, id)), withoutPerf(want))).toEqual([]);
    expect(await summaryCounts(id)).toEqual(pointCounts(want));
  }, 90_000);
});
