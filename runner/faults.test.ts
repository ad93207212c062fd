// A runner killed with SIGKILL mid-run, and Postgres stopped for 10 s mid-run, with the real engine
// training a tiny model pretrained here. A step takes milliseconds, so these runs have hundreds or
// thousands of steps to still be going when the fault strikes.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { differences, pointCounts, referenceMetrics, tinyConfig, tinyModel, withoutPerf, type TinyModel } from "./testing/engine";
import { FAST_FLAGS, isAlive, printOutputsIfFailed, runStatus, startRunner, stopRunner, storedMetrics, waitFor, workerPids, type RunnerProcess } from "./testing/processes";
import { insertBaseModel, insertRun, startTestDatabase, type TestDatabase } from "./testing/postgres";

let db: TestDatabase;
let tiny: TinyModel;
let baseModelId: string;
const runners: RunnerProcess[] = [];

beforeAll(async () => {
  [db, tiny] = await Promise.all([startTestDatabase(25_641), tinyModel("runner-faults")]);
});
afterAll(async () => {
  await db?.close();
  tiny?.remove();
});
beforeEach(async () => {
  await db.reset();
  baseModelId = await insertBaseModel(db.pool);
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
});
