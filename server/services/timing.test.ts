// Time estimates: the pace rules, the queue schedule, and the whole path from runs and runners in a
// real Postgres to the runs table's waits and the launch preview's estimate (through tRPC).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@/testing/database";
import { createPrisma, type PrismaClient } from "@/server/db/prisma";
import { createCaller } from "@/server/api/root";
import { estimatePace, rolloutsPerStep, scheduleQueue, secondsLeft } from "./timing";

describe("estimatePace", () => {
  const history = [
    { baseModelId: "a", paramCount: 100, rollouts: 256, secondsPerStep: 1 },
    { baseModelId: "a", paramCount: 100, rollouts: 256, secondsPerStep: 3 },
    { baseModelId: "a", paramCount: 100, rollouts: 128, secondsPerStep: 0.25 },
    { baseModelId: "b", paramCount: 400, rollouts: 256, secondsPerStep: 8 },
  ];

  it("takes the median of the same model at the same batch", () => {
    const pace = estimatePace(history, { id: "a", paramCount: 100 }, 256)!;
    expect(pace.secondsPerStep).toBe(2);
    expect(pace.basis).toBe("2 measured runs of this model at 256 rollouts per step");
  });

  it("scales the same model's runs by rollouts when the batch differs", () => {
    // 1, 3 and 0.25 s at 256, 256 and 128 rollouts -> 2, 6 and 1 s at 512: median 2.
    expect(estimatePace(history, { id: "a", paramCount: 100 }, 512)!.secondsPerStep).toBe(2);
  });

  it("scales other models by parameters x rollouts for a model never run", () => {
    // At 200 parameters and 256 rollouts: 2, 6, 1 and 4 s -> median 3.
    const pace = estimatePace(history, { id: "c", paramCount: 200 }, 256)!;
    expect(pace.secondsPerStep).toBe(3);
    expect(pace.basis).toMatch(/4 measured runs of other models/);
  });

  it("does not guess without a measured run", () => {
    expect(estimatePace([], { id: "a", paramCount: 100 }, 256)).toBeNull();
  });
});

describe("secondsLeft", () => {
  const now = new Date(Date.UTC(2026, 0, 1, 0, 10));
  it("extrapolates the run's own pace so far", () => {
    // 10 minutes for 20 steps: 30 s per step, 80 steps left.
    expect(secondsLeft({ currentStep: 20, totalSteps: 100, startedAt: new Date(Date.UTC(2026, 0, 1)) }, now)).toBe(2400);
  });
  it("has no figure before the first step or without a start", () => {
    expect(secondsLeft({ currentStep: 0, totalSteps: 100, startedAt: new Date(Date.UTC(2026, 0, 1)) }, now)).toBeNull();
    expect(secondsLeft({ currentStep: 5, totalSteps: 100, startedAt: null }, now)).toBeNull();
  });
});

describe("scheduleQueue", () => {
  it("starts each queued run on the slot that frees first", () => {
    // Two slots: one busy for 100 s, one idle.
    const s = scheduleQueue(2, [100], [
      { id: "q1", seconds: 50 },
      { id: "q2", seconds: 30 },
      { id: "q3", seconds: 10 },
    ]);
    expect(s.get("q1")).toEqual({ position: 1, startsIn: 0 });
    expect(s.get("q2")).toEqual({ position: 2, startsIn: 50 });
    expect(s.get("q3")).toEqual({ position: 3, startsIn: 80 });
  });

  it("knows positions but not starts once a run ahead has no estimate, or with no live slot", () => {
    const s = scheduleQueue(1, [], [
      { id: "q1", seconds: null },
      { id: "q2", seconds: 10 },
    ]);
    expect(s.get("q1")).toEqual({ position: 1, startsIn: 0 });
    expect(s.get("q2")).toEqual({ position: 2, startsIn: null });
    expect(scheduleQueue(0, [], [{ id: "q1", seconds: 10 }]).get("q1")).toEqual({ position: 1, startsIn: null });
    expect(scheduleQueue(1, [null], [{ id: "q1", seconds: 10 }]).get("q1")).toEqual({ position: 1, startsIn: null });
  });
});

describe("rolloutsPerStep", () => {
  it("reads the run's batch, with the engine's defaults where it says nothing", () => {
    expect(rolloutsPerStep({ groupSize: 4, promptsPerStep: 16 })).toBe(64);
    expect(rolloutsPerStep({})).toBe(256);
    expect(rolloutsPerStep(null)).toBe(256);
  });
});

describe("waits and estimates from the database", () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  let caller: ReturnType<typeof createCaller>;
  let model: string;
  let other: string;
  const ids: Record<string, string> = {};
  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
  // The running run's pace moves with the clock between setup and the query: allow a few seconds.
  const near = (x: number | null | undefined, target: number) => expect(Math.abs((x ?? Number.NaN) - target)).toBeLessThan(5);

  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = createPrisma(db.url);
    caller = createCaller({ prisma, headers: new Headers() });
    model = (await prisma.baseModel.create({ data: { name: "arith-small", family: "t", paramCount: 1000n, architecture: {} } })).id;
    other = (await prisma.baseModel.create({ data: { name: "arith-large", family: "t", paramCount: 4000n, architecture: {} } })).id;
    const config = { steps: 100, groupSize: 8, promptsPerStep: 32 };
    const base = { task: "arith", datasetSize: 3200, rewardMethod: "majority_vote", config, totalSteps: 100, seed: 1 };
    // One finished run at 1 s per step, one running at 2 s per step (50 of 100 steps in 100 s), two queued.
    const spec = [
      ["done", "SUCCEEDED", 100, minutesAgo(20), minutesAgo(20 - 100 / 60)],
      ["running", "RUNNING", 50, new Date(Date.now() - 100_000), null],
      ["queued1", "QUEUED", 0, null, null],
      ["queued2", "QUEUED", 0, null, null],
    ] as const;
    for (const [i, [name, status, currentStep, startedAt, finishedAt]] of spec.entries()) {
      const run = await prisma.run.create({
        data: { ...base, baseModelId: model, status, currentStep, startedAt, finishedAt, createdAt: new Date(Date.UTC(2026, 0, 1, 0, i)) },
      });
      ids[name] = run.id;
    }
    await prisma.runner.create({ data: { id: "r1", host: "h", pid: 1, devices: ["cpu"], slots: 1, lastSeenAt: new Date() } });
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.close();
  });

  it("shows a running run's time left and each queued run's place and start", async () => {
    const running = await caller.runs.wait({ id: ids.running! });
    near((running as { secondsLeft: number }).secondsLeft, 100);
    // The running run frees the one slot in ~100 s; each queued run takes the median pace
    // (1 and ~2 s per step -> ~1.5 s) x 100 steps = ~150 s.
    const q1 = await caller.runs.wait({ id: ids.queued1! });
    const q2 = await caller.runs.wait({ id: ids.queued2! });
    expect(q1).toMatchObject({ position: 1, liveSlots: 1 });
    expect(q2).toMatchObject({ position: 2, liveSlots: 1 });
    near((q1 as { startsIn: number }).startsIn, 100);
    near((q2 as { startsIn: number }).startsIn, 250);
    expect(await caller.runs.wait({ id: ids.done! })).toBeNull();
  });

  it("estimates a new grid after the queue, scaling an unmeasured model by its parameters", async () => {
    const est = await caller.launch.estimate({ baseModelIds: [other], runsPerModel: 2, steps: 10, rolloutsPerStep: 256 });
    // arith-large has 4x the parameters: ~6 s per step, 60 s per run; the queue ends at ~400 s.
    expect(est.slots).toBe(1);
    near(est.workSeconds, 120);
    near(est.seconds, 520);
    expect(est.basis).toEqual([expect.stringMatching(/^arith-large: 6\.0\d s per step, from 2 measured runs of other models/)]);
  });

  it("says it cannot tell without a live runner", async () => {
    await prisma.runner.update({ where: { id: "r1" }, data: { lastSeenAt: minutesAgo(60) } });
    const est = await caller.launch.estimate({ baseModelIds: [model], runsPerModel: 1, steps: 10, rolloutsPerStep: 256 });
    expect(est.slots).toBe(0);
    expect(est.seconds).toBeNull();
    expect(await caller.runs.wait({ id: ids.queued1! })).toMatchObject({ position: 1, startsIn: null, liveSlots: 0 });
  });

  it("rejects a malformed estimate request", async () => {
    await expect(caller.launch.estimate({ baseModelIds: [], runsPerModel: 1, steps: 10, rolloutsPerStep: 256 })).rejects.toThrow();
    await expect(caller.launch.estimate({ baseModelIds: [model], runsPerModel: 1, steps: -1, rolloutsPerStep: 256 })).rejects.toThrow();
  });
});
