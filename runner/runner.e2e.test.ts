// Real runner processes against a real Postgres, their workers training a tiny model pretrained here
// with the real engine (runner/engine/train/train.ts). A step takes milliseconds, so runs that must
// still be going when a test interrupts them have hundreds or thousands of steps.
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TrainConfigInput } from "./engine/train/config";
import { corruptedCopy, differences, referenceMetrics, stepPoints, tinyConfig, tinyModel, withoutPerf, type TinyModel } from "../testing/engine";
import { FAST_FLAGS, printOutputsIfFailed, runStatus, runWorkerPids, startRunner, stopRunner, storedMetrics, waitFor, type RunnerProcess } from "../testing/runner-processes";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { insertBaseModel, insertRun } from "../testing/fixtures";

let db: TestDatabase;
let tiny: TinyModel;
let baseModelId: string;
const runners: RunnerProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  tiny = await tinyModel("runner-e2e");
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

function runner(args: string[] = [], env: Record<string, string> = {}) {
  const r = startRunner(db.url, ["--slots", "2", "--devices", "cpu", ...FAST_FLAGS, ...args], env);
  runners.push(r);
  return r;
}

const config = (over: Partial<TrainConfigInput>) => tinyConfig(tiny.model, over);

async function statuses(): Promise<Record<string, number>> {
  const { rows } = await db.pool.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM "Run" GROUP BY status`);
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

describe("runner processes", () => {
  it("two runners execute twenty queued runs, each exactly once; failures and crashes are recorded", async () => {
    const short = { steps: 3, checkpointEvery: 2 };
    const ids = [];
    // As the launch form makes them: config.model is the base model's name, which names no folder
    // here; the worker trains from the folder the BaseModel row holds.
    for (let i = 0; i < 20; i++) ids.push(await insertRun(db.pool, { baseModelId, seed: 100 + i, config: config({ ...short, seed: 100 + i, model: "tiny" }) }));
    // A training exception: the model's weights fail their checksum, and the engine says so.
    const corrupt = corruptedCopy(tiny.model, path.join(path.dirname(tiny.model), "corrupt"));
    const corruptModelId = await insertBaseModel(db.pool, "corrupt", false, corrupt);
    const failing = await insertRun(db.pool, { baseModelId: corruptModelId, seed: 13, config: config({ ...short, seed: 13, model: corrupt }) });
    // A worker crash: this run never ends by itself; the test kills its worker with SIGKILL, twice.
    const crashing = await insertRun(db.pool, { baseModelId, seed: 14, config: config({ steps: 100_000, checkpointEvery: 1000, seed: 14 }), maxAttempts: 2 });
    runner();
    runner();
    const killed: number[] = [];
    await waitFor("all runs to settle", async () => {
      const pids = await runWorkerPids(db.pool, crashing);
      const next = pids[killed.length];
      if (next !== undefined) {
        process.kill(next, "SIGKILL");
        killed.push(next);
      }
      const s = await statuses();
      return !s.QUEUED && !s.RUNNING && s;
    }, 80_000, 100);
    expect(await statuses()).toEqual({ SUCCEEDED: 20, FAILED: 1, CRASHED: 1 });

    const { rows } = await db.pool.query(
      `SELECT r.id, r.attempts, r."runnerId", r."currentStep",
              (SELECT count(*)::int FROM "RunEvent" e WHERE e."runId" = r.id AND e.message LIKE 'attempt %') AS starts,
              (SELECT count(*)::int FROM "MetricPoint" p WHERE p."runId" = r.id) AS points,
              (SELECT count(DISTINCT step)::int FROM "MetricPoint" p WHERE p."runId" = r.id) AS steps
       FROM "Run" r WHERE r.id = ANY($1)`,
      [ids],
    );
    expect(rows).toHaveLength(20);
    for (const r of rows) expect(r).toMatchObject({ attempts: 1, starts: 1, currentStep: 3, points: stepPoints(3, 3), steps: 3 });
    expect(new Set(rows.map((r) => r.runnerId)).size).toBe(2); // both runners took work

    const failed = await runStatus(db.pool, failing);
    expect(failed.status).toBe("FAILED");
    const weights = path.join(corrupt, "weights.bin");
    const quoted = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    expect(failed.error).toMatch(
      new RegExp(`^model ${quoted(corrupt)}: ${quoted(weights)}: checksum mismatch: file has sha256 [0-9a-f]{64}, expected [0-9a-f]{64} \\(corrupted or replaced\\)$`),
    );
    const crashed = await runStatus(db.pool, crashing);
    expect(crashed.status).toBe("CRASHED");
    expect(crashed.attempts).toBe(2);
    expect(crashed.error).toMatch(/Gave up after 2 of 2 attempts: worker process exited with signal SIGKILL/);
    expect(killed).toHaveLength(2);
    expect(await runWorkerPids(db.pool, crashing)).toEqual(killed);
    const { rows: ev } = await db.pool.query(`SELECT level, message FROM "RunEvent" WHERE "runId" = $1 AND level = 'error'`, [failing]);
    expect(ev.some((e) => e.message.includes("checksum mismatch"))).toBe(true);
  }, 90_000);

  it("cancel stops a run within 5 s; its metrics stay", async () => {
    const id = await insertRun(db.pool, { baseModelId, config: config({ steps: 100_000, checkpointEvery: 1000 }) });
    runner();
    await waitFor("the run to make progress", async () => (await runStatus(db.pool, id)).currentStep >= 3, 20_000);
    const t0 = Date.now();
    await db.pool.query(`UPDATE "Run" SET "cancelRequested" = true WHERE id = $1`, [id]);
    await waitFor("CANCELED", async () => (await runStatus(db.pool, id)).status === "CANCELED", 5_000, 50);
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeLessThan(5_000);
    const s = await runStatus(db.pool, id);
    expect(s.currentStep).toBeGreaterThanOrEqual(3);
    expect(s.currentStep).toBeLessThan(100_000);
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM "MetricPoint" WHERE "runId" = $1`, [id]);
    expect(rows[0].n).toBe(stepPoints(s.currentStep, 100_000));
  }, 40_000);

  it("SIGTERM checkpoints and hands runs back; another runner finishes them with identical metrics", async () => {
    const runConfig = (seed: number) => config({ steps: 300, checkpointEvery: 25, valEvery: 100, seed });
    const a = await insertRun(db.pool, { baseModelId, seed: 7, config: runConfig(7) });
    const b = await insertRun(db.pool, { baseModelId, seed: 8, config: runConfig(8) });
    const first = runner();
    // The uninterrupted runs, computed here while the runners work.
    const reference = Promise.all([referenceMetrics(runConfig(7)), referenceMetrics(runConfig(8))]);
    await waitFor("both runs to pass step 30", async () => {
      const [sa, sb] = [await runStatus(db.pool, a), await runStatus(db.pool, b)];
      return sa.currentStep >= 30 && sb.currentStep >= 30;
    }, 30_000, 50);
    first.proc.kill("SIGTERM");
    first.proc.kill("SIGTERM"); // safe twice
    expect(await first.exited).toEqual({ code: 0, signal: null });
    for (const id of [a, b]) {
      const s = await runStatus(db.pool, id);
      expect(s).toMatchObject({ status: "QUEUED", attempts: 0, runnerId: null });
      expect(s.checkpointStep).toBeGreaterThanOrEqual(30); // the abort path checkpointed
      expect(s.checkpointStep).toBe(s.currentStep);
      expect(s.currentStep).toBeLessThan(300);
    }
    const { rows: left } = await db.pool.query(`SELECT count(*)::int AS n FROM "Runner"`);
    expect(left[0].n).toBe(0);
    runner();
    await waitFor("both to succeed", async () => (await statuses()).SUCCEEDED === 2, 45_000, 200);
    const [wantA, wantB] = await reference;
    for (const [id, want] of [[a, wantA], [b, wantB]] as const) {
      expect(await runStatus(db.pool, id)).toMatchObject({ status: "SUCCEEDED", attempts: 1, currentStep: 300 });
      expect(differences(withoutPerf(await storedMetrics(db.pool, id)), withoutPerf(want))).toEqual([]);
    }
  }, 90_000);

  it("Ctrl-C (SIGINT to the whole process group of `tsx runner/main.ts`) hands the run back uncounted", async () => {
    const id = await insertRun(db.pool, { baseModelId, seed: 3, config: config({ steps: 100_000, checkpointEvery: 1000, seed: 3 }) });
    const r = startRunner(db.url, ["--slots", "1", ...FAST_FLAGS], {}, { terminal: true });
    runners.push(r);
    await waitFor("progress", async () => (await runStatus(db.pool, id)).currentStep >= 5, 20_000);
    process.kill(-r.proc.pid!, "SIGINT");
    expect((await r.exited).code).toBe(0);
    const s = await runStatus(db.pool, id);
    expect(s).toMatchObject({ status: "QUEUED", attempts: 0, runnerId: null });
    expect(s.checkpointStep).toBe(s.currentStep);
  }, 40_000);

  it("a live runner deletes the rows of runners not seen for --runner-retention-ms; their runs keep the runner's name in their events", async () => {
    // A real run by a runner that then dies without deregistering (kill -9): its row stays.
    const id = await insertRun(db.pool, { baseModelId, config: config({ steps: 3 }) });
    const dead = runner();
    await waitFor("SUCCEEDED", async () => (await runStatus(db.pool, id)).status === "SUCCEEDED", 30_000, 100);
    dead.proc.kill("SIGKILL");
    await dead.exited;
    const deadId = (await runStatus(db.pool, id)).runnerId!;
    // Two hours pass for it; another runner was last seen 30 minutes ago; a third, silent as long as
    // the dead one, still holds an unexpired lease (the lease, not lastSeenAt, is the fence).
    await db.pool.query(`UPDATE "Runner" SET "lastSeenAt" = now() - interval '2 hours' WHERE "id" = $1`, [deadId]);
    await db.pool.query(
      `INSERT INTO "Runner" ("id", "host", "pid", "devices", "slots", "lastSeenAt") VALUES
         ('quiet', 'h1', 1, '{cpu}', 1, now() - interval '30 minutes'), ('leased', 'h2', 2, '{cpu}', 1, now() - interval '2 hours')`,
    );
    const leased = await insertRun(db.pool, { baseModelId, config: config({ steps: 3 }) });
    await db.pool.query(
      `UPDATE "Run" SET "status" = 'RUNNING', "runnerId" = 'leased', "attempts" = 1, "leaseExpiresAt" = now() + interval '1 hour' WHERE "id" = $1`,
      [leased],
    );
    const { rows: before } = await db.pool.query(`SELECT count(*)::int AS n FROM "RunEvent" WHERE "runId" = $1`, [id]);

    const live = runner(["--runner-retention-ms", String(3_600_000)]);
    await waitFor("the dead runner's row to go", async () => {
      const { rows } = await db.pool.query(`SELECT 1 FROM "Runner" WHERE "id" = $1`, [deadId]);
      return rows.length === 0;
    }, 20_000, 100);
    const { rows: left } = await db.pool.query<{ id: string }>(`SELECT "id" FROM "Runner" ORDER BY "id"`);
    const liveId = live.output.join("\n").match(/(\S+) ready:/)![1]!;
    expect(left.map((r) => r.id).sort()).toEqual(["leased", "quiet", liveId].sort());
    expect(live.output.join("\n")).toContain(`deleted 1 runner row(s) not seen for 3600000 ms: ${deadId}`);
    expect(await runStatus(db.pool, id)).toMatchObject({ status: "SUCCEEDED", runnerId: null });
    expect((await runStatus(db.pool, leased)).runnerId).toBe("leased");
    const { rows: events } = await db.pool.query<{ message: string }>(`SELECT message FROM "RunEvent" WHERE "runId" = $1 ORDER BY id`, [id]);
    expect(events).toHaveLength(before[0].n);
    expect(events.map((e) => e.message)).toContain(`attempt 1 of 3 on runner ${deadId}, device cpu`);
  }, 60_000);
});
