import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { OWN_PG_PORTS } from "../../scripts/lib/ports";
import { startOwnTestDatabase, type TestDatabase } from "../../testing/database";
import { insertBaseModel, insertRun } from "../../testing/fixtures";
import { BufferedMetricWriter } from "./buffered-writer";
import { writeMetricBatch, type MetricPointInput } from "./metrics";

let db: TestDatabase;
let runId: string;

beforeAll(async () => {
  db = await startOwnTestDatabase(OWN_PG_PORTS.ingestMetricsTest);
});
afterAll(async () => {
  await db?.close();
});
beforeEach(async () => {
  await db.reset();
  runId = await insertRun(db.pool, { baseModelId: await insertBaseModel(db.pool), config: { collapseThreshold: 0.01 } });
});

const pt = (key: string, step: number, value: number): MetricPointInput => ({ key, step, value, wallTime: 1_700_000_000_000 + step });

async function summary(key: string) {
  const { rows } = await db.pool.query(`SELECT * FROM "MetricSummary" WHERE "runId" = $1 AND "key" = $2`, [runId, key]);
  return rows[0];
}

describe("writeMetricBatch", () => {
  it("stores points, summary, currentStep and MCS in one go, idempotently", async () => {
    const ra = [0.5, 0.4, 0.2, 0.005, 0.3].map((v, i) => pt("train/reward_accuracy", i + 1, v));
    const r1 = await writeMetricBatch(db.pool, runId, [...ra, pt("actor/entropy", 5, 1.5)]);
    expect(r1).toEqual({ written: 6, inserted: 6 });
    const r2 = await writeMetricBatch(db.pool, runId, ra); // a retry or a resume replay
    expect(r2).toEqual({ written: 5, inserted: 0 });
    const { rows: pts } = await db.pool.query(`SELECT count(*)::int AS n FROM "MetricPoint" WHERE "runId" = $1`, [runId]);
    expect(pts[0].n).toBe(6);
    const s = await summary("train/reward_accuracy");
    expect(s).toMatchObject({ last: 0.3, lastStep: 5, min: 0.005, max: 0.5, count: 5 });
    const { rows: run } = await db.pool.query(`SELECT "currentStep", "mcsStep", "mcsCensored" FROM "Run" WHERE id = $1`, [runId]);
    expect(run[0]).toEqual({ currentStep: 5, mcsStep: 4, mcsCensored: false });
  });

  it("keeps NaN and infinities as values but out of min/max and MCS", async () => {
    await writeMetricBatch(db.pool, runId, [
      pt("train/reward_accuracy", 1, Number.NaN),
      pt("train/reward_accuracy", 2, Number.NEGATIVE_INFINITY),
      pt("train/reward_accuracy", 3, Number.POSITIVE_INFINITY),
    ]);
    let s = await summary("train/reward_accuracy");
    expect(s).toMatchObject({ last: Infinity, lastStep: 3, min: null, max: null, count: 3 });
    await writeMetricBatch(db.pool, runId, [pt("train/reward_accuracy", 4, 0.7), pt("train/reward_accuracy", 5, Number.NaN)]);
    s = await summary("train/reward_accuracy");
    expect(s.min).toBe(0.7);
    expect(s.max).toBe(0.7);
    expect(Number.isNaN(s.last)).toBe(true);
    const { rows } = await db.pool.query(`SELECT value FROM "MetricPoint" WHERE "runId" = $1 ORDER BY step`, [runId]);
    expect(rows.map((r) => r.value)).toEqual([NaN, -Infinity, Infinity, 0.7, NaN]);
    const { rows: run } = await db.pool.query(`SELECT "mcsStep", "mcsCensored" FROM "Run" WHERE id = $1`, [runId]);
    expect(run[0]).toEqual({ mcsStep: 5, mcsCensored: true });
  });

  it("keeps MCS right when batches append, arrive late, or replay", async () => {
    const ra = (step: number, v: number) => pt("train/reward_accuracy", step, v);
    const mcs = async () =>
      (await db.pool.query(`SELECT "mcsStep" AS step, "mcsCensored" AS censored FROM "Run" WHERE id = $1`, [runId])).rows[0];
    await writeMetricBatch(db.pool, runId, [1, 2, 3, 4, 5].map((s) => ra(s, 0.5)));
    expect(await mcs()).toEqual({ step: 5, censored: true });
    await writeMetricBatch(db.pool, runId, [ra(7, 0.5), ra(8, 0.001)]);
    expect(await mcs()).toEqual({ step: 8, censored: false });
    await writeMetricBatch(db.pool, runId, [ra(6, 0.002)]); // late: before the known collapse
    expect(await mcs()).toEqual({ step: 6, censored: false });
    await writeMetricBatch(db.pool, runId, [ra(10, 0)]);
    expect(await mcs()).toEqual({ step: 6, censored: false });
    await writeMetricBatch(db.pool, runId, [ra(6, 0.5)]); // a replay that changes the crossing
    expect(await mcs()).toEqual({ step: 8, censored: false });
  });

  it("keeps the last value when an older step arrives late, and de-duplicates within a batch", async () => {
    await writeMetricBatch(db.pool, runId, [pt("k", 10, 1), pt("k", 10, 2)]);
    await writeMetricBatch(db.pool, runId, [pt("k", 3, -5)]);
    expect(await summary("k")).toMatchObject({ last: 2, lastStep: 10, min: -5, max: 2, count: 2 });
  });

  it("rolls the whole batch back on bad input", async () => {
    await expect(writeMetricBatch(db.pool, runId, [pt("ok", 1, 1), pt("bad", -1, 1)])).rejects.toThrow(/step/);
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM "MetricPoint"`);
    expect(rows[0].n).toBe(0);
  });
});

describe("BufferedMetricWriter", () => {
  it("survives a 10 s Postgres outage: nothing lost, nothing duplicated", async () => {
    const errors: string[] = [];
    const writer = new BufferedMetricWriter(db.pool, {
      flushIntervalMs: 100,
      backoffMaxMs: 1_000,
      onError: (e) => errors.push(e.message),
    });
    const steps = 60;
    let step = 0;
    const produce = async (n: number, delayMs: number) => {
      for (let i = 0; i < n; i++) {
        step++;
        writer.addPoints(runId, [pt("train/reward_accuracy", step, 1 / step), pt("actor/entropy", step, step)]);
        writer.addEvent({ runId, level: "info", message: `step ${step}`, time: Date.now() });
        await new Promise((r) => setTimeout(r, delayMs));
      }
    };
    await produce(20, 20);
    await writer.flush();
    await db.stopServer();
    const during = produce(20, 500); // 10 s of steps while the server is down
    await during;
    expect(writer.pendingCount).toBeGreaterThan(0);
    await db.startServer();
    await produce(steps - 40, 20);
    await writer.close();
    expect(errors.length).toBeGreaterThan(0);
    const { rows } = await db.pool.query(
      `SELECT key, count(*)::int AS n, count(DISTINCT step)::int AS d, min(step) AS lo, max(step) AS hi
       FROM "MetricPoint" WHERE "runId" = $1 GROUP BY key ORDER BY key`,
      [runId],
    );
    expect(rows).toEqual([
      { key: "actor/entropy", n: steps, d: steps, lo: 1, hi: steps },
      { key: "train/reward_accuracy", n: steps, d: steps, lo: 1, hi: steps },
    ]);
    expect(await summary("actor/entropy")).toMatchObject({ count: steps, lastStep: steps, min: 1, max: steps });
    const { rows: ev } = await db.pool.query(`SELECT message FROM "RunEvent" WHERE "runId" = $1 ORDER BY id`, [runId]);
    expect(new Set(ev.map((e) => e.message)).size).toBe(steps);
    const { rows: run } = await db.pool.query(`SELECT "currentStep" FROM "Run" WHERE id = $1`, [runId]);
    expect(run[0].currentStep).toBe(steps);
  }, 60_000);
});
