import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type pg from "pg";
import { connectTestDatabase, type ConnectedTestDatabase } from "../../scripts/test/database";
import { spearman } from "../../runner/engine/metrics/mcs";
import { createCaller } from "../api/root";
import type { PrismaClient } from "../db/prisma";
import { writeMetricBatch } from "../ingest/metrics";
import { buildLeaderboard, compareMcs, formatMcs, mcsRankKeys, medianMcs, type ModelInfo, type RunFigures } from "./leaderboard";
import { addBaseModel, addRun } from "./testing/fixtures";

const c = (step: number) => ({ step, censored: false });
const cens = (step: number) => ({ step, censored: true });

describe("MCS with censoring", () => {
  it("orders a censored value above every collapsed one, longer censored runs higher", () => {
    expect(compareMcs(cens(50), c(30))).toBeGreaterThan(0);
    expect(compareMcs(cens(50), c(80))).toBeGreaterThan(0);
    expect(compareMcs(cens(50), cens(80))).toBeLessThan(0);
    expect([c(80), cens(50), c(30), cens(90)].sort(compareMcs)).toEqual([c(30), c(80), cens(50), cens(90)]);
  });

  it("takes medians over seeds: exact when the middle collapsed, '> lower bound' when it is censored", () => {
    expect(medianMcs([])).toBeNull();
    expect(medianMcs([c(30), c(10), c(20)])).toEqual(c(20));
    expect(medianMcs([c(10), c(20), c(30), c(40)])).toEqual(c(25));
    expect(medianMcs([c(10), cens(50), c(30)])).toEqual(c(30));
    // middle values 10 and >50: the median is > (10 + 50) / 2
    expect(medianMcs([c(10), cens(50)])).toEqual(cens(30));
    expect(medianMcs([cens(40), cens(60), c(20)])).toEqual(cens(40));
    expect(formatMcs(medianMcs([cens(40), cens(60), c(20)]))).toBe("> 40");
    expect(formatMcs(c(25))).toBe("25");
    expect(formatMcs(c(25.5))).toBe("25.5");
  });

  it("rank keys keep the order for Spearman", () => {
    const vals = [c(100), cens(50), c(20), cens(70)];
    const keys = mcsRankKeys(vals);
    expect(keys[1]).toBeGreaterThan(keys[0]!);
    expect(keys[3]).toBeGreaterThan(keys[1]!);
    expect(keys[2]).toBeLessThan(keys[0]!);
  });
});

function run(model: string, method: string, seed: number, extra: Partial<RunFigures>): RunFigures {
  return { runId: `${model}-${method}-${seed}`, baseModelId: model, rewardMethod: method, seed, mcsStep: null, mcsCensored: null, initialAccuracy: null, bestAccuracy: null, defaultProtocol: true, ...extra };
}
const model = (id: string, staticEval: unknown = null): ModelInfo => ({ id, name: id, family: "f", staticEval });

describe("buildLeaderboard", () => {
  it("ranks by median MCS, censored above collapsed, models without MCS last", () => {
    const board = buildLeaderboard(
      [model("A"), model("B"), model("C"), model("D")],
      [
        run("A", "majority_vote", 1, { mcsStep: 100, mcsCensored: false }),
        run("A", "majority_vote", 2, { mcsStep: 120, mcsCensored: false }),
        run("B", "majority_vote", 1, { mcsStep: 50, mcsCensored: true }),
        run("C", "majority_vote", 1, { mcsStep: 20, mcsCensored: false }),
        run("D", "ground_truth", 1, { initialAccuracy: 0.1, bestAccuracy: 0.2 }),
      ],
    );
    expect(board.rows.map((r) => [r.model, r.rank, r.mcsLabel])).toEqual([
      ["B", 1, "> 50"],
      ["A", 2, "110"],
      ["C", 3, "20"],
      ["D", null, ""],
    ]);
    expect(board.rows[0]!.mcsCensoredRuns).toBe(1);
  });

  it("equal medians share a rank", () => {
    const board = buildLeaderboard(
      [model("A"), model("B"), model("C")],
      [
        run("A", "majority_vote", 1, { mcsStep: 40, mcsCensored: false }),
        run("B", "majority_vote", 1, { mcsStep: 40, mcsCensored: false }),
        run("C", "majority_vote", 1, { mcsStep: 10, mcsCensored: false }),
      ],
    );
    expect(board.rows.map((r) => r.rank)).toEqual([1, 1, 3]);
  });

  it("GT gain is best minus initial val/accuracy, median over seeds; pass@k gain from the static evaluation", () => {
    const board = buildLeaderboard(
      [model("A", { greedyAccuracy: 0.3, passAtK: 0.7, k: 8 })],
      [
        run("A", "ground_truth", 1, { initialAccuracy: 0.2, bestAccuracy: 0.5 }),
        run("A", "ground_truth", 2, { initialAccuracy: 0.1, bestAccuracy: 0.5 }),
        run("A", "ground_truth", 3, { initialAccuracy: 0.1, bestAccuracy: null }), // no val/accuracy max: left out
      ],
    );
    const row = board.rows[0]!;
    expect(row.gtGain).toBeCloseTo(0.35, 12);
    expect(row.gtRuns).toBe(2);
    expect(row.passAtK).toBe(0.7);
    expect(row.k).toBe(8);
    expect(row.passAtKGain).toBeCloseTo(0.4, 12);
    expect(row.initialAccuracy).toBeCloseTo(0.1, 12); // median of the runs' first points wins over static
    expect(row.initialAccuracySource).toBe("runs");
  });

  it("Spearman of MCS and GT gain uses the engine's average ranks for ties", () => {
    const mcs = [10, 20, 20, 40];
    const gains = [0.01, 0.02, 0.03, 0.04];
    const models = mcs.map((_, i) => model(`M${i}`));
    const runs = mcs.flatMap((m, i) => [
      run(`M${i}`, "majority_vote", 1, { mcsStep: m, mcsCensored: false }),
      run(`M${i}`, "ground_truth", 1, { initialAccuracy: 0, bestAccuracy: gains[i]! }),
    ]);
    const board = buildLeaderboard(models, runs);
    expect(board.mcsVsGtGain.n).toBe(4);
    expect(board.mcsVsGtGain.rho).toBeCloseTo(4.5 / Math.sqrt(22.5), 12);
    expect(board.mcsVsGtGain.rho).toBeCloseTo(spearman(mcs, gains), 12);
    expect(board.passAtKGainVsGtGain).toEqual({ rho: null, n: 0 });
  });

  it("a censored median enters Spearman above every collapsed one", () => {
    const board = buildLeaderboard(
      [model("A"), model("B"), model("C")],
      [
        run("A", "majority_vote", 1, { mcsStep: 30, mcsCensored: true }), // > 30: highest
        run("B", "majority_vote", 1, { mcsStep: 80, mcsCensored: false }),
        run("C", "majority_vote", 1, { mcsStep: 10, mcsCensored: false }),
        run("A", "ground_truth", 1, { initialAccuracy: 0, bestAccuracy: 0.3 }),
        run("B", "ground_truth", 1, { initialAccuracy: 0, bestAccuracy: 0.2 }),
        run("C", "ground_truth", 1, { initialAccuracy: 0, bestAccuracy: 0.1 }),
      ],
    );
    expect(board.mcsVsGtGain).toEqual({ rho: 1, n: 3 });
  });
});

describe("which runs count", () => {
  it("only runs with the default training protocol: a learning-rate sweep does not move a model", () => {
    const board = buildLeaderboard(
      [model("A", { greedyAccuracy: 0.2, passAtK: 0.6, k: 8 }), model("B", { greedyAccuracy: 0.2, passAtK: 0.3, k: 8 })],
      [
        run("A", "majority_vote", 1, { mcsStep: 200, mcsCensored: true }),
        run("A", "majority_vote", 2, { mcsStep: 15, mcsCensored: false, defaultProtocol: false }), // lr sweep
        run("A", "ground_truth", 1, { initialAccuracy: 0.2, bestAccuracy: 0.5 }),
        run("A", "ground_truth", 2, { initialAccuracy: 0.2, bestAccuracy: 0.2, defaultProtocol: false }),
        run("B", "majority_vote", 1, { mcsStep: 40, mcsCensored: false }),
        run("B", "ground_truth", 1, { initialAccuracy: 0.2, bestAccuracy: 0.3 }),
      ],
    );
    const a = board.rows.find((r) => r.model === "A")!;
    expect(a).toMatchObject({ mcs: { step: 200, censored: true }, mcsRuns: 1, gtRuns: 1 });
    expect(a.gtGain).toBeCloseTo(0.3, 12);
    expect(a.runIds).toEqual(["A-majority_vote-1", "A-ground_truth-1"]);
  });

  it("compares pass@k gain with GT gain on the models MCS ranks, not on models without an MCS", () => {
    const board = buildLeaderboard(
      [model("A", { greedyAccuracy: 0.1, passAtK: 0.2, k: 8 }), model("B", { greedyAccuracy: 0.1, passAtK: 0.5, k: 8 }), model("X", { greedyAccuracy: 0.1, passAtK: 0.9, k: 8 })],
      [
        run("A", "majority_vote", 1, { mcsStep: 10, mcsCensored: false }),
        run("B", "majority_vote", 1, { mcsStep: 20, mcsCensored: false }),
        run("A", "ground_truth", 1, { initialAccuracy: 0, bestAccuracy: 0.1 }),
        run("B", "ground_truth", 1, { initialAccuracy: 0, bestAccuracy: 0.2 }),
        run("X", "ground_truth", 1, { initialAccuracy: 0, bestAccuracy: 0.05 }), // no majority_vote run
      ],
    );
    expect(board.passAtKGainVsGtGain).toEqual({ rho: 1, n: 2 });
    expect(board.mcsVsGtGain).toEqual({ rho: 1, n: 2 });
  });
});

describe("leaderboard.get on Postgres", () => {
  let db: ConnectedTestDatabase;
  let pool: pg.Pool;
  let prisma: PrismaClient;
  beforeAll(async () => {
    db = await connectTestDatabase();
    ({ pool, prisma } = db);
  });
  afterAll(() => db?.close());

  it("aggregates hand-made runs: MCS from the writer, censoring, GT gain, unfinished runs ignored", async () => {
    const strong = await addBaseModel(pool, "strong", { greedyAccuracy: 0.4, passAtK: 0.9, k: 8 });
    const weak = await addBaseModel(pool, "weak", { greedyAccuracy: 0.2, passAtK: 0.3, k: 8 });
    const wall = 1_700_000_000_000;
    // weak collapses at step 3 and 5 (median 4); strong never collapses within 6 steps (censored).
    for (const [modelId, seed, values] of [
      [weak, 1, [0.5, 0.2, 0.005, 0.001, 0.0, 0.0]],
      [weak, 2, [0.5, 0.3, 0.2, 0.1, 0.001, 0.0]],
      [strong, 1, [0.6, 0.6, 0.5, 0.5, 0.4, 0.4]],
    ] as const) {
      const id = await addRun(pool, { baseModelId: modelId, rewardMethod: "majority_vote", seed });
      await writeMetricBatch(pool, id, values.map((value, i) => ({ key: "train/reward_accuracy", step: i + 1, value, wallTime: wall + i })));
    }
    // An unfinished run with an early collapse must not count.
    await addRun(pool, { baseModelId: strong, rewardMethod: "majority_vote", status: "RUNNING", mcsStep: 1, mcsCensored: false });
    for (const [modelId, seed, accs] of [
      [weak, 1, [0.2, 0.25, Number.NaN, 0.22]],
      [strong, 1, [0.4, 0.7, 0.6]],
      [strong, 2, [0.4, 0.5, 0.45]],
    ] as const) {
      const id = await addRun(pool, { baseModelId: modelId, rewardMethod: "ground_truth", seed });
      await writeMetricBatch(pool, id, accs.map((value, i) => ({ key: "val/accuracy", step: i * 10, value, wallTime: wall + i })));
    }
    const caller = createCaller({ prisma, headers: new Headers() });
    const board = await caller.leaderboard.get();
    const [first, second] = board.rows;
    expect(first).toMatchObject({ model: "strong", rank: 1, mcs: { step: 6, censored: true }, mcsLabel: "> 6", mcsRuns: 1, gtRuns: 2 });
    expect(first!.gtGain).toBeCloseTo(0.2, 12); // median of 0.3 and 0.1
    expect(second).toMatchObject({ model: "weak", rank: 2, mcs: { step: 4, censored: false }, mcsRuns: 2, gtRuns: 1 });
    expect(second!.gtGain).toBeCloseTo(0.05, 12);
    expect(second!.passAtKGain).toBeCloseTo(0.1, 12);
    expect(board.mcsVsGtGain).toEqual({ rho: 1, n: 2 });
    expect(board.passAtKGainVsGtGain).toEqual({ rho: 1, n: 2 });
  });
});
