import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type pg from "pg";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { createCaller } from "../api/root";
import type { PrismaClient } from "../db/prisma";
import { writeMetricBatch } from "../ingest/metrics";
import { aggregateGroups } from "./compare";
import { addBaseModel, addRun } from "../../testing/fixtures";

describe("aggregateGroups", () => {
  it("takes mean, min and max over the group's runs per step", () => {
    const groups = aggregateGroups(
      [
        { runId: "a", step: 0, value: 1 },
        { runId: "b", step: 0, value: 3 },
        { runId: "c", step: 0, value: 10 },
        { runId: "a", step: 1, value: 2 },
      ],
      new Map([["a", "G"], ["b", "G"], ["c", "H"]]),
    );
    expect(groups).toEqual([
      { label: "G", runIds: ["a", "b"], points: [{ step: 0, mean: 2, min: 1, max: 3, n: 2 }, { step: 1, mean: 2, min: 2, max: 2, n: 1 }] },
      { label: "H", runIds: ["c"], points: [{ step: 0, mean: 10, min: 10, max: 10, n: 1 }] },
    ]);
  });
});

describe("compare.series on Postgres", () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let prisma: PrismaClient;
  beforeAll(async () => {
    db = await createTestDatabase();
    ({ pool, prisma } = db);
  });
  afterAll(() => db?.close());

  it("overlays runs, and groups by model with a band on aligned buckets", async () => {
    const m1 = await addBaseModel(pool, "m1");
    const m2 = await addBaseModel(pool, "m2");
    const ids: string[] = [];
    for (const [model, seed, offset] of [[m1, 1, 0], [m1, 2, 0.2], [m2, 1, 0.5]] as const) {
      const id = await addRun(pool, { baseModelId: model, rewardMethod: "majority_vote", seed });
      ids.push(id);
      const pts = Array.from({ length: 3000 }, (_, step) => ({ key: "train/reward_accuracy", step, value: step === 10 ? Number.NaN : offset + step / 3000, wallTime: 1e12 + step }));
      await writeMetricBatch(pool, id, pts);
    }
    const caller = createCaller({ prisma, headers: new Headers() });
    const meta = await caller.compare.runs({ runIds: ids });
    expect(meta.keys).toEqual(["train/reward_accuracy"]);
    expect(meta.runs.map((r) => r.model)).toEqual(["m1", "m1", "m2"]);

    const lines = await caller.compare.series({ runIds: ids, key: "train/reward_accuracy" });
    expect(lines.series).toHaveLength(3);
    expect(lines.series.map((s) => s.runId)).toEqual(ids);
    // Unknown ids are dropped; lines come in the order asked.
    const unknown = "00000000-0000-4000-8000-000000000000";
    const mixed = await caller.compare.series({ runIds: [ids[2]!, unknown, ids[0]!], key: "train/reward_accuracy" });
    expect(mixed.runs.map((r) => r.id)).toEqual([ids[2], ids[0]]);
    expect(mixed.series.map((s) => s.runId)).toEqual([ids[2], ids[0]]);
    expect(mixed.series[0]!.points).toEqual(lines.series[2]!.points);
    // An id typed in capitals (UUIDs are case-insensitive) finds its run.
    const upper = await caller.compare.series({ runIds: [ids[1]!.toUpperCase()], key: "train/reward_accuracy" });
    expect(upper.series.map((s) => s.runId)).toEqual([ids[1]]);
    expect(lines.series.every((s) => s.points.length <= 1000 && s.points.length > 100)).toBe(true);

    const grouped = await caller.compare.series({ runIds: ids, key: "train/reward_accuracy", groupBy: "model", maxPoints: 300 });
    expect(grouped.groups.map((g) => g.label)).toEqual(["m1", "m2"]);
    const g1 = grouped.groups[0]!;
    expect(g1.points).toHaveLength(300);
    for (const p of g1.points) {
      expect(Number.isFinite(p.mean)).toBe(true); // the NaN point is left out, not averaged in
      expect(p.max - p.min).toBeCloseTo(0.2, 9);
      expect(p.mean).toBeCloseTo((p.min + p.max) / 2, 9);
    }
    // Zoom: the window is re-bucketed from the raw points (width 1 here: every step).
    const zoomed = await caller.compare.series({ runIds: ids, key: "train/reward_accuracy", groupBy: "model", minStep: 1000, maxStep: 1099 });
    expect(zoomed.groups[0]!.points.map((p) => p.step)).toEqual(Array.from({ length: 100 }, (_, i) => 1000 + i));
    const zoomedLines = await caller.compare.series({ runIds: ids, key: "train/reward_accuracy", minStep: 1000, maxStep: 1099 });
    expect(zoomedLines.series[0]!.points).toHaveLength(100);
    await expect(caller.compare.series({ runIds: ids, key: "x", minStep: 5, maxStep: 1 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(caller.compare.series({ runIds: Array(21).fill(ids[0]), key: "x" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
