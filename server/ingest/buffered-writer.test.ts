// The bound of BufferedMetricWriter's buffer, against a real Postgres server of this file's own that
// the test stops and starts: while Postgres is down, a producer that awaits addPoints is held at the
// bound, and once it is back every point is stored exactly once. And the runner's fence: a writer
// whose runner no longer owns the run stores nothing of it.
import type pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { lockOwnedRun } from "../../runner/sql/lock-owned-run";
import { viaPg } from "../db/sql";
import { OWN_PG_PORTS } from "../../scripts/lib/ports";
import { startOwnTestDatabase, type TestDatabase } from "../../testing/database";
import { insertBaseModel, insertRun } from "../../testing/fixtures";
import { waitFor } from "../../testing/runner-processes";
import { BufferedMetricWriter } from "./buffered-writer";
import type { MetricPointInput } from "./metrics";

let db: TestDatabase;
let runId: string;

beforeAll(async () => {
  db = await startOwnTestDatabase(OWN_PG_PORTS.bufferedWriterTest);
});
afterAll(async () => {
  await db?.close();
});
beforeEach(async () => {
  await db.reset();
  runId = await insertRun(db.pool, { baseModelId: await insertBaseModel(db.pool) });
});

const KEYS = ["train/reward_accuracy", "actor/entropy", "actor/pg_loss"];
const stepPoints = (step: number): MetricPointInput[] =>
  KEYS.map((key, i) => ({ key, step, value: step * 10 + i, wallTime: 1_700_000_000_000 + step }));

describe("BufferedMetricWriter's bound", () => {
  it("holds a producer at the bound while Postgres is down; afterwards every point is stored once", async () => {
    const LIMIT = 100;
    const BATCH = KEYS.length; // points per add
    const STEPS = 400;
    let errors = 0;
    const writer = new BufferedMetricWriter(db.pool, {
      flushIntervalMs: 20,
      backoffInitialMs: 50,
      backoffMaxMs: 200,
      maxBufferedPoints: LIMIT,
      onError: () => errors++,
    });
    let step = 0;
    let maxPending = 0;
    // A producer as fast as it can be: it waits only for what addPoints returns.
    const produce = async (until: number) => {
      while (step < until) {
        step++;
        const room = writer.addPoints(runId, stepPoints(step));
        maxPending = Math.max(maxPending, writer.pendingCount);
        await room;
      }
    };

    await produce(50);
    await writer.flush();
    expect(writer.pendingCount).toBe(0);
    await db.stopServer();
    let finished = false;
    const producer = produce(STEPS).then(() => (finished = true));
    await waitFor("the producer to be held", async () => writer.full, 10_000, 10);
    // Held at the first add that took the buffer past the bound: 34 adds of 3 points = 102 > 100.
    const heldAt = 50 + Math.floor(LIMIT / BATCH) + 1;
    expect(step).toBe(heldAt);
    // Three more failed writes (about 0.5 s of backoff) release nothing and let nothing in.
    const failedBefore = errors;
    await waitFor("three more failed writes", async () => errors >= failedBefore + 3, 10_000, 10);
    expect({ step, finished, pending: writer.pendingCount }).toEqual({ step: heldAt, finished: false, pending: (heldAt - 50) * BATCH });

    await db.startServer();
    await producer;
    await writer.close();
    expect(finished).toBe(true);
    expect(maxPending).toBeLessThanOrEqual(LIMIT + BATCH);
    expect(maxPending).toBeGreaterThan(LIMIT);

    const { rows: stored } = await db.pool.query<{ key: string; step: number; value: number }>(
      `SELECT key, step, value FROM "MetricPoint" WHERE "runId" = $1`,
      [runId],
    );
    const want = new Map<string, number>();
    for (let s = 1; s <= STEPS; s++) for (const p of stepPoints(s)) want.set(`${p.key}@${s}`, p.value);
    const got = new Map(stored.map((r) => [`${r.key}@${r.step}`, r.value]));
    expect(stored).toHaveLength(STEPS * KEYS.length); // the primary key makes (run, key, step) unique
    expect(got).toEqual(want);
    const { rows: summaries } = await db.pool.query(`SELECT key, count, "lastStep" FROM "MetricSummary" WHERE "runId" = $1 ORDER BY key`, [runId]);
    expect(summaries).toEqual([...KEYS].sort().map((key) => ({ key, count: STEPS, lastStep: STEPS })));
  }, 30_000);
});

describe("BufferedMetricWriter's fence", () => {
  it("drops the batches of a run its runner no longer owns, and lets its producer go", async () => {
    await db.pool.query(
      `INSERT INTO "Runner" ("id", "host", "pid", "devices", "slots") VALUES ('runner-a', 'a', 1, '{cpu}', 1), ('runner-b', 'b', 2, '{cpu}', 1)`,
    );
    const own = (owner: string) => db.pool.query(`UPDATE "Run" SET "status" = 'RUNNING', "runnerId" = $2 WHERE "id" = $1`, [runId, owner]);
    const fenceFor = (owner: string) => (client: pg.ClientBase, id: string) => lockOwnedRun(viaPg(client), id, owner);
    const shifted = (step: number, by: number) => stepPoints(step).map((p) => ({ ...p, value: p.value + by }));
    const a = new BufferedMetricWriter(db.pool, { fence: fenceFor("runner-a"), maxBufferedPoints: 5 });
    const b = new BufferedMetricWriter(db.pool, { fence: fenceFor("runner-b") });

    await own("runner-a");
    for (const s of [1, 2]) await a.addPoints(runId, stepPoints(s));
    await a.flush();
    // runner-b takes the run over (its lease expired) and replays step 2 on, with its own values.
    await own("runner-b");
    for (const s of [2, 3]) void b.addPoints(runId, shifted(s, 1_000));
    await b.flush();
    // runner-a's late points: over its bound (6 > 5), so the producer waits; the fence drops them.
    const held = a.addPoints(runId, [...shifted(3, -1_000), ...shifted(4, -1_000)]);
    expect(a.full).toBe(true);
    await a.flush();
    await held;
    expect(a.pendingCount).toBe(0);

    const { rows } = await db.pool.query<{ step: number; value: number }>(
      `SELECT step, value FROM "MetricPoint" WHERE "runId" = $1 AND key = $2 ORDER BY step`,
      [runId, KEYS[0]],
    );
    expect(rows).toEqual([
      { step: 1, value: 10 },
      { step: 2, value: 1_020 },
      { step: 3, value: 1_030 },
    ]);
    await Promise.all([a.close(), b.close()]);
  });
});
