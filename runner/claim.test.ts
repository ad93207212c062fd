// The claim statement alone, with concurrent claimers on a real Postgres.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { viaPg } from "../server/db/sql";
import { claimRuns } from "./sql/claim-runs";
import { registerRunner } from "./sql/register-runner";
import { releaseRun } from "./sql/release-run";
import { renewLeases } from "./sql/renew-leases";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { insertBaseModel, insertRun } from "../testing/fixtures";

let db: TestDatabase;
let baseModelId: string;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.close();
});
beforeEach(async () => {
  await db.reset();
  baseModelId = await insertBaseModel(db.pool);
});

async function register(id: string) {
  await registerRunner(viaPg(db.pool), { id, host: "test", pid: 1, devices: ["cpu"], slots: 2 });
}
async function claim(runnerId: string, limit: number, leaseMs = 60_000) {
  return claimRuns(viaPg(db.pool), runnerId, limit, leaseMs);
}

describe("claimRuns", () => {
  it("returns what starting the run needs: its config and its base model's folder, nothing more", async () => {
    await db.pool.query(`UPDATE "BaseModel" SET "artifactPath" = 'models/tiny' WHERE id = $1`, [baseModelId]);
    const id = await insertRun(db.pool, { baseModelId, seed: 7, config: { lr: 1e-3 } });
    await register("a");
    expect(await claim("a", 1)).toEqual([
      { id, status: "RUNNING", attempts: 1, maxAttempts: 3, config: { steps: 10, seed: 7, lr: 1e-3 }, experimentId: null, external: false, artifactPath: "models/tiny" },
    ]);
  });

  it("hands each of 20 queued runs to exactly one of many concurrent claimers", async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => insertRun(db.pool, { baseModelId, seed: i })));
    const runners = ["r1", "r2", "r3", "r4"];
    for (const r of runners) await register(r);
    const got = new Map<string, string>();
    // Each claimer takes 1-3 at a time, all at once, until the queue is empty.
    await Promise.all(
      runners.map(async (r, i) => {
        for (;;) {
          const rows = await claim(r, 1 + (i % 3));
          if (rows.length === 0) return;
          for (const row of rows) {
            expect(got.has(row.id), `run ${row.id} claimed twice`).toBe(false);
            got.set(row.id, r);
          }
        }
      }),
    );
    expect([...got.keys()].sort()).toEqual([...ids].sort());
    const { rows } = await db.pool.query(`SELECT status, attempts, "runnerId", "startedAt" IS NOT NULL AS started FROM "Run"`);
    for (const row of rows) expect(row).toMatchObject({ status: "RUNNING", attempts: 1, started: true });
  });

  it("reclaims a run whose lease expired, but never one whose runner is alive", async () => {
    const id = await insertRun(db.pool, { baseModelId });
    await register("dead");
    await register("alive");
    expect((await claim("dead", 1, 200)).map((r) => r.id)).toEqual([id]);
    expect(await claim("alive", 1)).toEqual([]); // lease still valid
    await new Promise((r) => setTimeout(r, 300));
    expect(await claim("dead", 1)).toEqual([]); // a runner never reclaims its own lease
    const [row] = await claim("alive", 1);
    expect(row).toMatchObject({ id, status: "RUNNING", attempts: 2 });
    // The old owner's heartbeat no longer renews it.
    expect(await renewLeases(viaPg(db.pool), "dead", [id], 60_000)).toEqual([]);
  });

  it("marks a run CRASHED once its attempts are used up, with the reason", async () => {
    const id = await insertRun(db.pool, { baseModelId, maxAttempts: 2 });
    await register("a");
    await register("b");
    await claim("a", 1, 1);
    await new Promise((r) => setTimeout(r, 20));
    await claim("b", 1, 1);
    await new Promise((r) => setTimeout(r, 20));
    const [row] = await claim("a", 1);
    expect(row).toMatchObject({ id, status: "CRASHED", attempts: 2 });
    const { rows } = await db.pool.query(`SELECT error, "finishedAt" FROM "Run" WHERE id = $1`, [id]);
    expect(rows[0].error).toMatch(/Gave up after 2 of 2 attempts: the lease of runner b expired/);
    expect(rows[0].finishedAt).toBeInstanceOf(Date);
    expect(await claim("b", 1)).toEqual([]);
  });

  it("cancels a queued run whose cancel was requested instead of starting it", async () => {
    const id = await insertRun(db.pool, { baseModelId });
    await db.pool.query(`UPDATE "Run" SET "cancelRequested" = true WHERE id = $1`, [id]);
    await register("a");
    expect(await claim("a", 1)).toMatchObject([{ id, status: "CANCELED" }]);
  });

  it("a shutdown hand-back does not count as an attempt", async () => {
    const id = await insertRun(db.pool, { baseModelId });
    await register("a");
    await claim("a", 1);
    expect(await releaseRun(viaPg(db.pool), id, "a", { shutdown: true, error: null })).toBe(true);
    const { rows } = await db.pool.query(`SELECT status, attempts, "runnerId" FROM "Run" WHERE id = $1`, [id]);
    expect(rows[0]).toEqual({ status: "QUEUED", attempts: 0, runnerId: null });
  });
});
