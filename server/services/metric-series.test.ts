// The SQL downsampling must give exactly what downsample() gives, on real Postgres, including NaN
// and infinities, step windows (zoom) and several runs and keys at once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@/testing/database";
import { createPrisma, type PrismaClient } from "@/server/db/prisma";
import { createPool, type Pool } from "@/server/db/pool";
import { getMetricSeries } from "./metric-series";
import { downsample, type SeriesPoint } from "./downsample";

let db: TestDatabase;
let prisma: PrismaClient;
let pool: Pool;
let runA: string;
let runB: string;
const data: Record<string, SeriesPoint[]> = {};

async function insert(runId: string, key: string, points: SeriesPoint[]) {
  data[`${runId}/${key}`] = points;
  for (let i = 0; i < points.length; i += 2000) {
    const chunk = points.slice(i, i + 2000);
    await pool.query(
      `INSERT INTO "MetricPoint" ("runId", "key", "step", "value", "wallTime")
       SELECT $1::uuid, $2, s, v, to_timestamp(w / 1000.0) FROM unnest($3::int[], $4::float8[], $5::float8[]) AS t(s, v, w)`,
      [runId, key, chunk.map((p) => p.step), chunk.map((p) => (Object.is(p.value, -0) ? "-0" : String(p.value))), chunk.map((p) => p.wallTime)],
    );
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrisma(db.url);
  pool = createPool(db.url, 2);
  const m = await prisma.baseModel.create({ data: { name: "m", family: "t", paramCount: 1n, architecture: {} } });
  const mk = () => prisma.run.create({ data: { baseModelId: m.id, rewardMethod: "majority_vote", task: "arith", datasetSize: 64, seed: 1, config: {}, totalSteps: 5000 } });
  runA = (await mk()).id;
  runB = (await mk()).id;
  // A 5,000-step noisy curve with spikes, NaN and infinities.
  let x = 0.42;
  const noisy = Array.from({ length: 5000 }, (_, step) => {
    x = (x * 9301 + 49297) % 233280;
    let value = Math.sin(step / 300) + (x / 233280 - 0.5) * 0.1;
    if (step === 777) value = 50;
    if (step === 3001) value = -50;
    if (step % 997 === 0) value = Number.NaN;
    if (step === 1500) value = Number.POSITIVE_INFINITY;
    if (step === 1501) value = Number.NEGATIVE_INFINITY;
    return { step, value, wallTime: 1_767_225_600_000 + step * 1000 };
  });
  await insert(runA, "train/reward_accuracy", noisy);
  await insert(runA, "val/accuracy", noisy.filter((p) => p.step % 20 === 0).map((p) => ({ ...p, value: Number.isFinite(p.value) ? p.value : 0 })));
  await insert(runB, "train/reward_accuracy", noisy.slice(0, 300));
  // Sparse, irregular steps (gaps, a late first step) and plateaus: many equal minima and maxima per
  // bucket (the earliest must win), -0 beside 0, and whole buckets of NaN.
  const plateaus: SeriesPoint[] = [];
  for (let i = 0; i < 4000; i++) {
    const step = 17 + i * 5 + ((i * 7) % 5);
    const value = i >= 2000 && i < 2100 ? Number.NaN : i % 11 === 0 ? -0 : Math.round(Math.sin(i / 40) * 3) / 3;
    plateaus.push({ step, value, wallTime: 1_767_225_600_000 + step * 1500 + (i % 3) });
  }
  await insert(runB, "actor/entropy", plateaus);
});
afterAll(async () => {
  await pool?.end();
  await prisma?.$disconnect();
  await db?.close();
});

const same = (a: SeriesPoint[], b: SeriesPoint[]) => {
  expect(a.map((p) => p.step)).toEqual(b.map((p) => p.step));
  expect(a.map((p) => p.value)).toEqual(b.map((p) => p.value));
  expect(a.map((p) => p.wallTime)).toEqual(b.map((p) => p.wallTime));
};

describe("getMetricSeries", () => {
  it("matches downsample() exactly for every run and key, and never sends more than maxPoints", async () => {
    const keys = ["train/reward_accuracy", "val/accuracy", "never/logged"];
    const series = await getMetricSeries(prisma, { runIds: [runA, runB], keys });
    expect(series.map((s) => `${s.runId === runA ? "A" : "B"} ${s.key}`)).toEqual([
      "A train/reward_accuracy", "A val/accuracy", "A never/logged", "B train/reward_accuracy", "B val/accuracy", "B never/logged",
    ]);
    for (const s of series) {
      const raw = data[`${s.runId}/${s.key}`] ?? [];
      expect(s.points.length).toBeLessThanOrEqual(1000);
      same(s.points, downsample(raw, 1000));
    }
    const a = series[0].points;
    expect(a.find((p) => p.value === 50)?.step).toBe(777);
    expect(a.find((p) => p.value === -50)?.step).toBe(3001);
    expect(Number.isNaN(a[0].value)).toBe(true); // step 0 is NaN, and it is the first point
  });

  it("re-buckets a zoomed window from the raw points (finer than the coarse series)", async () => {
    const [zoomed] = await getMetricSeries(prisma, { runIds: [runA], keys: ["train/reward_accuracy"], minStep: 1000, maxStep: 1999, maxPoints: 200 });
    const raw = data[`${runA}/train/reward_accuracy`].filter((p) => p.step >= 1000 && p.step <= 1999);
    same(zoomed.points, downsample(raw, 200));
    expect(zoomed.points[0].step).toBe(1000);
    expect(zoomed.points[zoomed.points.length - 1].step).toBe(1999);
    // a small window comes back whole
    const [small] = await getMetricSeries(prisma, { runIds: [runA], keys: ["train/reward_accuracy"], minStep: 1495, maxStep: 1505 });
    expect(small.points.map((p) => p.step)).toEqual([1495, 1496, 1497, 1498, 1499, 1500, 1501, 1502, 1503, 1504, 1505]);
    expect(small.points[5].value).toBe(Number.POSITIVE_INFINITY);
    expect(small.points[6].value).toBe(Number.NEGATIVE_INFINITY);
  });

  it("matches downsample() on sparse steps with ties, -0 and all-NaN buckets, whole and zoomed", async () => {
    const raw = data[`${runB}/actor/entropy`];
    for (const [minStep, maxStep, maxPoints] of [[undefined, undefined, 1000], [undefined, undefined, 52], [3000, 15000, 300], [9000, 9400, 40]] as const) {
      const [s] = await getMetricSeries(prisma, { runIds: [runB], keys: ["actor/entropy"], minStep, maxStep, maxPoints });
      const window = raw.filter((p) => (minStep === undefined || p.step >= minStep) && (maxStep === undefined || p.step <= maxStep));
      same(s.points, downsample(window, maxPoints));
      expect(s.points.map((p) => Object.is(p.value, -0))).toEqual(downsample(window, maxPoints).map((p) => Object.is(p.value, -0)));
    }
  });

  it("sends each point once when a run or key is asked twice", async () => {
    const series = await getMetricSeries(prisma, { runIds: [runB, runB], keys: ["train/reward_accuracy", "train/reward_accuracy"], maxPoints: 64 });
    expect(series).toHaveLength(1);
    same(series[0].points, downsample(data[`${runB}/train/reward_accuracy`], 64));
  });

  it("matches downsample() for tiny maxPoints too", async () => {
    for (const maxPoints of [4, 7, 64, 333]) {
      const [s] = await getMetricSeries(prisma, { runIds: [runA], keys: ["train/reward_accuracy"], maxPoints });
      same(s.points, downsample(data[`${runA}/train/reward_accuracy`], maxPoints));
    }
  });
});
