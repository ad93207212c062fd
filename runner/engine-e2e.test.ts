// The runner with the real engine (runner/engine/train/train.ts) on a tiny model pretrained here:
// runners share queued runs, and a runner killed with SIGKILL mid-run is resumed by another from the
// last checkpoint, its stored metrics equal to an uninterrupted run's, every step once.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TrainConfigInput } from "./engine/train/config";
import { differences, referenceMetrics, tinyConfig, tinyModel, withoutPerf, type TinyModel } from "./testing/engine";
import { FAST_FLAGS, printOutputsIfFailed, runStatus, startRunner, stopRunner, storedMetrics, waitFor, type RunnerProcess } from "./testing/processes";
import { insertBaseModel, insertRun, suiteTestDatabase, type TestDatabase } from "./testing/postgres";

let db: TestDatabase;
let tiny: TinyModel;
let baseModelId: string;
const runners: RunnerProcess[] = [];

beforeAll(async () => {
  db = await suiteTestDatabase();
  tiny = await tinyModel("runner-engine");
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

const config = (over: Partial<TrainConfigInput> = {}) => tinyConfig(tiny.model, { valEvery: 4, ...over });

function runner() {
  const r = startRunner(db.url, ["--slots", "1", "--devices", "cpu", ...FAST_FLAGS]);
  runners.push(r);
  return r;
}

describe("runner + real engine", () => {
  it("two runners share queued real runs, each executed exactly once", async () => {
    const ids = [];
    for (let seed = 1; seed <= 4; seed++) ids.push(await insertRun(db.pool, { baseModelId, seed, config: config({ seed, steps: 2 }) }));
    runner();
    runner();
    await waitFor("all four to succeed", async () => {
      const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM "Run" WHERE status = 'SUCCEEDED'`);
      const { rows: bad } = await db.pool.query(`SELECT id, status, error FROM "Run" WHERE status IN ('FAILED', 'CRASHED')`);
      if (bad.length) throw new Error(`runs failed: ${JSON.stringify(bad)}`);
      return rows[0].n === 4;
    }, 55_000, 250);
    for (const id of ids) expect(await runStatus(db.pool, id)).toMatchObject({ status: "SUCCEEDED", attempts: 1, currentStep: 2 });
  }, 60_000);

  it("kill -9 mid-run: another runner resumes from the checkpoint; metrics equal an uninterrupted run's", async () => {
    const c = config({ steps: 300, checkpointEvery: 20, valEvery: 50, seed: 11 });
    const expected = referenceMetrics(c);
    const id = await insertRun(db.pool, { baseModelId, seed: 11, config: c });
    const doomed = runner();
    await waitFor("a checkpoint past step 40", async () => {
      const s = await runStatus(db.pool, id);
      if (s.status !== "RUNNING" && s.status !== "QUEUED") throw new Error(`run ended too early: ${JSON.stringify(s)}`);
      return (s.checkpointStep ?? 0) >= 40;
    }, 40_000, 50);
    doomed.proc.kill("SIGKILL");
    await doomed.exited;
    const mid = await runStatus(db.pool, id);
    expect(mid.currentStep).toBeLessThan(300);
    runner();
    await waitFor("SUCCEEDED", async () => (await runStatus(db.pool, id)).status === "SUCCEEDED", 40_000, 200);
    expect(await runStatus(db.pool, id)).toMatchObject({ attempts: 2, currentStep: 300 });
    expect(differences(withoutPerf(await storedMetrics(db.pool, id)), withoutPerf(await expected))).toEqual([]);
  }, 90_000);

  it("SIGTERM checkpoints through the engine's abort path and hands back; cancel stops within 5 s", async () => {
    // Never ends by itself: it is stopped twice, by SIGTERM and then by cancel.
    const c = config({ steps: 100_000, checkpointEvery: 1000, seed: 5 });
    const id = await insertRun(db.pool, { baseModelId, seed: 5, config: c });
    const first = runner();
    await waitFor("progress", async () => (await runStatus(db.pool, id)).currentStep >= 3, 40_000, 50);
    first.proc.kill("SIGTERM");
    expect(await first.exited).toEqual({ code: 0, signal: null });
    const handedBack = await runStatus(db.pool, id);
    expect(handedBack).toMatchObject({ status: "QUEUED", attempts: 0, runnerId: null });
    expect(handedBack.checkpointStep).toBe(handedBack.currentStep); // the abort checkpoint, not a periodic one
    runner();
    await waitFor("resumed", async () => {
      const s = await runStatus(db.pool, id);
      return s.status === "RUNNING" && s.currentStep > handedBack.currentStep + 2;
    }, 40_000, 50);
    const t0 = Date.now();
    await db.pool.query(`UPDATE "Run" SET "cancelRequested" = true WHERE id = $1`, [id]);
    await waitFor("CANCELED", async () => (await runStatus(db.pool, id)).status === "CANCELED", 5_000, 50);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect((await runStatus(db.pool, id)).attempts).toBe(1);
  }, 90_000);
});
