// The runs table (filters, sort, pagination, summary values) and cancel / re-queue, through the tRPC
// router against a real Postgres.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@/testing/database";
import { createPrisma, type PrismaClient } from "@/server/db/prisma";
import { createCaller } from "@/server/api/root";
import { METRICS } from "@/runner/engine/metrics/metric-names";
import { createPool } from "@/server/db/pool";
import type { RunFilter } from "@/server/schemas/runs";
import { runRowBatches, runsExportInput } from "./csv";
import { runsWhere } from "./runs";

let db: TestDatabase;
let prisma: PrismaClient;
let caller: ReturnType<typeof createCaller>;
let runs: Record<string, string>;
let expA: string;

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrisma(db.url);
  caller = createCaller({ prisma, headers: new Headers() });
  const small = await prisma.baseModel.create({ data: { name: "arith-small", family: "t", paramCount: 1n, architecture: {} } });
  const tiny = await prisma.baseModel.create({ data: { name: "arith-tiny", family: "t", paramCount: 1n, architecture: {} } });
  expA = (await prisma.experiment.create({ data: { name: "A", tags: ["mcs", "smoke"] } })).id;
  const expB = (await prisma.experiment.create({ data: { name: "B", tags: ["other"] } })).id;
  const base = { task: "arith", datasetSize: 64, config: { steps: 10 }, totalSteps: 10 };
  const spec = [
    ["queued", small.id, "majority_vote", "QUEUED", expA, 0, 1],
    ["running", small.id, "majority_vote", "RUNNING", expA, 4, 2],
    ["done", tiny.id, "self_certainty", "SUCCEEDED", expA, 10, 3],
    ["failed", tiny.id, "majority_vote", "FAILED", expB, 3, 4],
    ["crashed", small.id, "ground_truth", "CRASHED", expB, 7, 5],
  ] as const;
  runs = {};
  for (const [i, [name, baseModelId, rewardMethod, status, experimentId, currentStep, seed]] of spec.entries()) {
    const r = await prisma.run.create({
      data: { ...base, baseModelId, rewardMethod, status, experimentId, currentStep, seed, createdAt: new Date(Date.UTC(2026, 0, 1, 0, i)) },
    });
    runs[name] = r.id;
  }
  await prisma.run.update({ where: { id: runs.done }, data: { mcsStep: 8, mcsCensored: false } });
  await prisma.run.update({ where: { id: runs.running }, data: { mcsStep: 4, mcsCensored: true } });
  await prisma.metricSummary.create({
    data: { runId: runs.done, key: METRICS.rewardAccuracy, last: 0.005, lastStep: 10, min: 0.005, max: 0.9, count: 10, lastWallTime: new Date() },
  });
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.close();
});

const names = (ids: string[]) => ids.map((id) => Object.entries(runs).find(([, v]) => v === id)?.[0]);

describe("runs.list", () => {
  it("lists newest first by default with totals", async () => {
    const res = await caller.runs.list({});
    expect(res.total).toBe(5);
    expect(names(res.runs.map((r) => r.id))).toEqual(["crashed", "failed", "done", "running", "queued"]);
  });

  it("filters by status, base model, reward method, experiment and tag", async () => {
    const ids = async (q: Parameters<typeof caller.runs.list>[0]) => names((await caller.runs.list(q)).runs.map((r) => r.id)).sort();
    expect(await ids({ status: "RUNNING" })).toEqual(["running"]);
    expect(await ids({ model: "arith-tiny" })).toEqual(["done", "failed"]);
    expect(await ids({ reward: "majority_vote" })).toEqual(["failed", "queued", "running"]);
    expect(await ids({ experiment: expA })).toEqual(["done", "queued", "running"]);
    expect(await ids({ tag: "other" })).toEqual(["crashed", "failed"]);
    expect(await ids({ tag: "smoke", reward: "majority_vote" })).toEqual(["queued", "running"]);
  });

  it("ignores malformed URL values instead of failing", async () => {
    const res = await caller.runs.list({ status: "NOPE", page: "x", sort: "bogus", experiment: "not-a-uuid" } as never);
    expect(res.total).toBe(5);
    expect(res.page).toBe(1);
  });

  it("sorts by progress, model and MCS (runs without MCS last)", async () => {
    const order = async (sort: string, dir: "asc" | "desc") => names((await caller.runs.list({ sort: sort as "mcs", dir })).runs.map((r) => r.id));
    expect(await order("progress", "asc")).toEqual(["queued", "failed", "running", "crashed", "done"]);
    expect((await order("model", "asc")).slice(0, 3).sort()).toEqual(["crashed", "queued", "running"]);
    expect((await order("mcs", "asc")).slice(0, 2)).toEqual(["running", "done"]);
    expect((await order("mcs", "desc")).slice(0, 2)).toEqual(["done", "running"]);
  });

  it("paginates without overlap or gaps, in any sort", async () => {
    for (const sort of ["reward", "status", "created"] as const) {
      const seen: string[] = [];
      for (let page = 1; page <= 3; page++) {
        const res = await caller.runs.list({ pageSize: 2, page, sort, dir: "asc" });
        expect(res.pages).toBe(3);
        expect(res.runs.length).toBe(page < 3 ? 2 : 1);
        seen.push(...res.runs.map((r) => r.id));
      }
      expect(new Set(seen).size).toBe(5);
    }
    expect((await caller.runs.list({ pageSize: 2, page: 4 })).runs).toHaveLength(0);
  });

  it("shows last and best values from MetricSummary", async () => {
    const res = await caller.runs.list({ status: "SUCCEEDED" });
    expect(res.runs[0].metrics[METRICS.rewardAccuracy]).toEqual({ last: 0.005, lastStep: 10, best: 0.9 });
    expect(res.runs[0].mcsStep).toBe(8);
  });
});

describe("cancel and re-queue", () => {
  it("cancels a QUEUED run at once and asks a RUNNING run to stop; finished runs are untouched", async () => {
    const res = await caller.runs.cancel({ ids: [runs.queued, runs.running, runs.done] });
    expect(res).toEqual({ canceled: 1, stopping: 1 });
    const after = await prisma.run.findMany({ where: { id: { in: [runs.queued, runs.running, runs.done] } } });
    const by = Object.fromEntries(after.map((r) => [r.id, r]));
    expect(by[runs.queued]).toMatchObject({ status: "CANCELED", cancelRequested: true });
    expect(by[runs.queued].finishedAt).toBeInstanceOf(Date);
    expect(by[runs.running]).toMatchObject({ status: "RUNNING", cancelRequested: true });
    expect(by[runs.done]).toMatchObject({ status: "SUCCEEDED", cancelRequested: false });
  });

  it("re-queues finished runs as fresh QUEUED copies and skips active ones", async () => {
    const before = await prisma.run.count();
    const res = await caller.runs.requeue({ ids: [runs.failed, runs.crashed, runs.running] });
    expect(res.copies).toHaveLength(2);
    expect(res.skipped).toBe(1);
    expect(await prisma.run.count()).toBe(before + 2);
    const copy = await prisma.run.findUniqueOrThrow({ where: { id: res.copies.find((c) => c.from === runs.failed)!.id } });
    const orig = await prisma.run.findUniqueOrThrow({ where: { id: runs.failed } });
    expect(copy).toMatchObject({
      status: "QUEUED",
      currentStep: 0,
      attempts: 0,
      cancelRequested: false,
      mcsStep: null,
      experimentId: orig.experimentId,
      baseModelId: orig.baseModelId,
      rewardMethod: orig.rewardMethod,
      seed: orig.seed,
      config: orig.config,
      totalSteps: orig.totalSteps,
    });
    expect(orig.status).toBe("FAILED");
  });

  it("rejects an empty selection with a field error", async () => {
    await expect(caller.runs.cancel({ ids: [] })).rejects.toThrow(/Select at least one run/);
  });
});

describe("runs.get and runs.events", () => {
  it("returns a run with its summaries and the log tail in order", async () => {
    for (let i = 0; i < 5; i++) await prisma.runEvent.create({ data: { runId: runs.done, message: `line ${i}` } });
    const run = await caller.runs.get({ id: runs.done });
    expect(run.baseModel.name).toBe("arith-tiny");
    expect(run.summaries).toHaveLength(1);
    const events = await caller.runs.events({ id: runs.done, limit: 3 });
    expect(events.map((e) => e.message)).toEqual(["line 2", "line 3", "line 4"]);
    await expect(caller.runs.get({ id: "00000000-0000-4000-8000-000000000000" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("one runs filter for the table and the CSV export", () => {
  it("selects the same runs through the table's Prisma where and the export's SQL, deleted runs included", async () => {
    const pool = createPool(db.url, 1);
    try {
      const small = (await prisma.baseModel.findFirstOrThrow({ where: { name: "arith-small" } })).id;
      const base = { baseModelId: small, rewardMethod: "majority_vote", task: "arith", datasetSize: 64, seed: 9, config: {}, totalSteps: 10 };
      const orphan = (await prisma.run.create({ data: base })).id; // no experiment: never matches a name or a tag
      const gone = (await prisma.run.create({ data: { ...base, experimentId: expA, deletedAt: new Date() } })).id;
      const table = async (f: RunFilter) => (await prisma.run.findMany({ where: runsWhere(f), select: { id: true } })).map((r) => r.id).sort();
      const csv = async (f: RunFilter) => {
        const ids: string[] = [];
        for await (const batch of runRowBatches(pool, f, 2)) ids.push(...batch.map((r) => r[0] as string));
        return ids.sort();
      };
      const filters: RunFilter[] = [
        { view: "active" },
        { view: "deleted" },
        { view: "active", status: ["RUNNING", "CANCELED"] },
        { view: "active", baseModel: ["arith-tiny"] },
        { view: "active", method: ["majority_vote", "ground_truth"], tag: "smoke" },
        { view: "active", experiment: { id: expA } },
        { view: "deleted", experiment: { id: expA } },
        { view: "active", experiment: { name: "A" } },
        { view: "active", experiment: { name: "B" }, tag: "mcs" },
        { view: "active", tag: "other" },
      ];
      for (const f of filters) expect(await csv(f), JSON.stringify(f)).toEqual(await table(f));
      expect(await table({ view: "deleted" })).toEqual([gone]);
      expect(await table({ view: "active" })).toContain(orphan);
      expect(await table({ view: "active", experiment: { name: "A" } })).toEqual(await table({ view: "active", experiment: { id: expA } }));

      // The same URL parameters through each door's boundary select the same runs.
      for (const params of [{ status: "RUNNING" }, { model: "arith-tiny" }, { reward: "majority_vote" }, { experiment: expA }, { tag: "other" }, { view: "deleted" }]) {
        const listed = (await caller.runs.list(params as never)).runs.map((r) => r.id).sort();
        expect(await csv(runsExportInput.parse(params)), JSON.stringify(params)).toEqual(listed);
      }
    } finally {
      await pool.end();
    }
  });
});
