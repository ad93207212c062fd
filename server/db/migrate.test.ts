import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "./generated/client";
import { applyMigrations, loadMigrations, REQUIRED_TABLES, verifyTables } from "./migrate";
import { createPool, type Pool } from "./pool";
import { createPrisma } from "./prisma";
import { createTestDatabase, type TestDatabase } from "../../testing/database";

describe("migrations", () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
    pool = createPool(db.url, 2);
  });
  afterAll(async () => {
    await pool.end();
    await db.close();
  });

  it("verifyTables fails on an empty database (so a silent no-op cannot pass)", async () => {
    await expect(verifyTables(pool)).rejects.toThrow(/missing tables BaseModel, Experiment, Run/);
  });

  it("creates every table the Prisma schema declares, with every column", async () => {
    expect(await applyMigrations(pool)).toEqual(loadMigrations().map((m) => m.name));
    await verifyTables(pool);
    const { rows } = await pool.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()`,
    );
    const columns = new Set(rows.map((r) => `${r.table_name}.${r.column_name}`));
    const models = Object.values(Prisma.ModelName);
    expect([...models].sort()).toEqual([...REQUIRED_TABLES].sort());
    for (const model of models) {
      const fields = Object.values((Prisma as unknown as Record<string, Record<string, string>>)[`${model}ScalarFieldEnum`]!);
      expect(fields.length).toBeGreaterThan(0);
      for (const field of fields) expect(columns, `${model}.${field}`).toContain(`${model}.${field}`);
    }
  });

  it("is idempotent and refuses an edited migration", async () => {
    expect(await applyMigrations(pool)).toEqual([]);
    const edited = loadMigrations().map((m) => ({ ...m, checksum: "0".repeat(64) }));
    await expect(applyMigrations(pool, edited)).rejects.toThrow(/was changed after it was applied/);
  });

  it("round-trips every model through the generated Prisma client", async () => {
    const prisma = createPrisma(db.url);
    try {
      const model = await prisma.baseModel.create({
        data: { name: "m", family: "test", paramCount: 123n, architecture: { width: 8 } },
      });
      const exp = await prisma.experiment.create({ data: { name: "e", tags: ["a", "b"] } });
      await prisma.runner.create({ data: { id: "r1", host: "h", pid: 1, devices: ["cpu"], slots: 1 } });
      const run = await prisma.run.create({
        data: {
          experimentId: exp.id, baseModelId: model.id, rewardMethod: "majority_vote", task: "arith",
          datasetSize: 32, seed: 1, config: { steps: 3 }, totalSteps: 3, runnerId: "r1",
        },
      });
      await prisma.metricPoint.create({ data: { runId: run.id, key: "k", step: 1, value: Number.NaN, wallTime: new Date() } });
      await prisma.metricSummary.create({ data: { runId: run.id, key: "k", last: 1, lastStep: 1, count: 1, lastWallTime: new Date() } });
      await prisma.runEvent.create({ data: { runId: run.id, message: "hello" } });
      await prisma.runCheckpoint.create({ data: { runId: run.id, step: 1, data: new Uint8Array([1, 2, 3]) } });
      await prisma.runAttribute.create({ data: { runId: run.id, kind: "param", key: "lr", value: "0.1" } });
      await prisma.apiToken.create({ data: { name: "t", prefix: "ul_ab", tokenHash: "x" } });

      const back = await prisma.run.findUniqueOrThrow({
        where: { id: run.id },
        include: { metrics: true, summaries: true, events: true, checkpoint: true, attributes: true, experiment: true },
      });
      expect(back.status).toBe("QUEUED");
      expect(back.experiment?.tags).toEqual(["a", "b"]);
      expect(Number.isNaN(back.metrics[0]!.value)).toBe(true);
      expect([...back.checkpoint!.data]).toEqual([1, 2, 3]);
      expect(back.events[0]!.message).toBe("hello");
      expect(await prisma.apiToken.count()).toBe(1);
    } finally {
      await prisma.$disconnect();
    }
  });
});
