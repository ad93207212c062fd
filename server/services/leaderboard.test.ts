import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type pg from "pg";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import type { ValidationPoint } from "../../runner/engine/metrics/gain";
import { spearman, spearmanInterval } from "../../runner/engine/stats/rank";
import { trainConfigSchema } from "../../runner/engine/train/config";
import { protocolOf } from "../../runner/engine/train/protocol";
import { createCaller } from "../api/root";
import type { PrismaClient } from "../db/prisma";
import { writeMetricBatch } from "../ingest/metrics";
import { buildLeaderboard, compareMcs, formatMcs, mcsRankKeys, medianMcs, type ModelInfo, type RunFigures } from "./leaderboard";
import { addBaseModel, addRun } from "../../testing/fixtures";

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

const DEFAULT = protocolOf({});
/** A validation curve: the initial value at step 0, then one point every 10 steps, each with a standard error. */
const curve = (values: number[], se: number | null = null): ValidationPoint[] => values.map((value, i) => ({ step: i * 10, value, se }));

function run(model: string, method: string, seed: number, extra: Partial<RunFigures>): RunFigures {
  return { runId: `${model}-${method}-${seed}`, baseModelId: model, rewardMethod: method, seed, protocol: DEFAULT, mcsStep: null, mcsCensored: null, validation: [], ...extra };
}
const model = (id: string, staticEval: unknown = null): ModelInfo => ({ id, name: id, family: "f", staticEval });
const mcsStats = (b: ReturnType<typeof buildLeaderboard>) => b.predictors.find((p) => p.predictor === "mcs")!;

describe("buildLeaderboard", () => {
  it("ranks by median MCS, censored above collapsed, models without MCS last", () => {
    const board = buildLeaderboard(
      [model("A"), model("B"), model("C"), model("D")],
      [
        run("A", "majority_vote", 1, { mcsStep: 100, mcsCensored: false }),
        run("A", "majority_vote", 2, { mcsStep: 120, mcsCensored: false }),
        run("B", "majority_vote", 1, { mcsStep: 50, mcsCensored: true }),
        run("C", "majority_vote", 1, { mcsStep: 20, mcsCensored: false }),
        run("D", "ground_truth", 1, { validation: curve([0.1, 0.2]) }),
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

  it("GT gain: mean of the last three validations minus the initial one, never the best; mean over seeds", () => {
    const board = buildLeaderboard(
      [model("A", { greedyAccuracy: 0.3, passAtK: 0.7, k: 8 })],
      [
        // A peak at step 10 does not count: (0.3 + 0.3 + 0.3) / 3 - 0.2 = 0.1.
        run("A", "ground_truth", 1, { validation: curve([0.2, 0.9, 0.3, 0.3, 0.3]) }),
        // It can be negative: (0.1 + 0.1 + 0.1) / 3 - 0.2.
        run("A", "ground_truth", 2, { validation: curve([0.2, 0.15, 0.1, 0.1, 0.1]) }),
        run("A", "ground_truth", 3, { validation: curve([0.2]) }), // nothing after step 0: left out
      ],
    );
    const row = board.rows[0]!;
    expect(row.gtGain).toBeCloseTo(0, 12); // mean of +0.1 and -0.1
    expect(row.gtRuns).toBe(2);
    expect(row.passAtK).toBe(0.7);
    expect(row.k).toBe(8);
    expect(row.passAtKGain).toBeCloseTo(0.4, 12);
    expect(row.initialAccuracy).toBeCloseTo(0.2, 12); // the runs' step-0 figure wins over the static one
    expect(row.initialAccuracySource).toBe("runs");
    // Seeds resampled: the interval spans the two seeds' gains, inside [-0.1, 0.1].
    expect(row.gtGainInterval!.lo).toBeCloseTo(-0.1, 12);
    expect(row.gtGainInterval!.hi).toBeCloseTo(0.1, 12);
  });

  it("GT gain's interval carries the prompts' noise when the runs logged standard errors", () => {
    const one = (se: number | null) =>
      buildLeaderboard([model("A")], [run("A", "ground_truth", 1, { validation: curve([0.2, 0.3, 0.3, 0.3], se) })]).rows[0]!;
    const exact = one(null);
    expect(exact.gtGainInterval).toMatchObject({ lo: expect.closeTo(0.1, 12), hi: expect.closeTo(0.1, 12) });
    const noisy = one(0.02);
    // se of the gain sqrt(0.02^2 + 0.02^2) = 0.0283: a 95% interval about +-0.055 around 0.1.
    expect(noisy.gtGainSe).toBeCloseTo(Math.sqrt(2) * 0.02, 12);
    expect(noisy.gtGainInterval!.lo).toBeGreaterThan(0.1 - 0.065);
    expect(noisy.gtGainInterval!.lo).toBeLessThan(0.1 - 0.045);
    expect(noisy.gtGainInterval!.hi).toBeGreaterThan(0.1 + 0.045);
  });

  it("MCS's interval keeps a censored bound as a bound", () => {
    const board = buildLeaderboard(
      [model("A")],
      [c(40), c(60), cens(200)].map((v, i) => run("A", "majority_vote", i + 1, { mcsStep: v.step, mcsCensored: v.censored })),
    );
    const r = board.rows[0]!;
    expect(r.mcsLabel).toBe("60");
    expect(r.mcsInterval).toMatchObject({ lo: c(40), hi: cens(200), label: "[40, > 200]" });
  });

  it("Spearman of MCS and GT gain uses average ranks for ties, with Kendall's tau and an exact p", () => {
    const mcs = [10, 20, 20, 40];
    const gains = [0.01, 0.02, 0.03, 0.04];
    const models = mcs.map((_, i) => model(`M${i}`));
    const runs = mcs.flatMap((m, i) => [
      run(`M${i}`, "majority_vote", 1, { mcsStep: m, mcsCensored: false }),
      run(`M${i}`, "ground_truth", 1, { validation: curve([0, gains[i]!]) }),
    ]);
    const s = mcsStats(buildLeaderboard(models, runs));
    expect(s.n).toBe(4);
    expect(s.rho).toBeCloseTo(4.5 / Math.sqrt(22.5), 12);
    expect(s.rho).toBeCloseTo(spearman(mcs, gains), 12);
    expect(s.exact).toBe(true);
    // One seed each: no way to estimate how reliable the figures are, so no verdict.
    expect(s.verdict).toBe("underpowered");
    expect(s.summary).toMatch(/^Underpowered: power unknown/);
  });

  it("a censored median enters Spearman above every collapsed one", () => {
    const board = buildLeaderboard(
      [model("A"), model("B"), model("C")],
      [
        run("A", "majority_vote", 1, { mcsStep: 30, mcsCensored: true }), // > 30: highest
        run("B", "majority_vote", 1, { mcsStep: 80, mcsCensored: false }),
        run("C", "majority_vote", 1, { mcsStep: 10, mcsCensored: false }),
        run("A", "ground_truth", 1, { validation: curve([0, 0.3]) }),
        run("B", "ground_truth", 1, { validation: curve([0, 0.2]) }),
        run("C", "ground_truth", 1, { validation: curve([0, 0.1]) }),
      ],
    );
    expect(mcsStats(board)).toMatchObject({ rho: 1, n: 3, pRho: expect.closeTo(1 / 6, 12) });
  });

  it("gives a verdict only with power: ten models, three seeds that agree, a perfect ranking", () => {
    const n = 10;
    const models = Array.from({ length: n }, (_, i) => model(`M${i}`));
    const runs = models.flatMap((m, i) =>
      [1, 2, 3].flatMap((seed) => [
        run(m.id, "majority_vote", seed, { mcsStep: 20 * (i + 1) + seed, mcsCensored: false }),
        run(m.id, "ground_truth", seed, { validation: curve([0.1, 0.1 + 0.02 * i + 0.001 * seed]) }),
      ]),
    );
    const board = buildLeaderboard(models, runs);
    const s = mcsStats(board);
    expect(s.reliability.value).toBeCloseTo(1, 12);
    expect(board.gtGainReliability.value).toBeCloseTo(1, 12);
    expect(s.power!.power).toBeGreaterThan(0.8);
    expect(s).toMatchObject({ verdict: "supported", rho: 1, pRho: expect.closeTo(1 / 3628800, 15) });
    // A perfect ranking gets no interval: Fisher's z is infinite there, and [1, 1] would claim certainty.
    expect(s.rhoInterval).toBeNull();
    expect(s.summary).toMatch(/^MCS predicts GT gain: rho 1\.00, one-sided exact p < 0\.001, n 10; power 0\.\d\d to detect rho 0\.8/);
    // The same models with MCS reversed: powered, and no evidence.
    const reversed = runs.map((r) => (r.rewardMethod === "majority_vote" ? { ...r, mcsStep: 1000 - r.mcsStep! } : r));
    expect(mcsStats(buildLeaderboard(models, reversed))).toMatchObject({ verdict: "not-supported", rho: -1, pRho: 1 });
  });
});

describe("rho's interval", () => {
  it("is Bonett and Wright's, from the models' rho and their number, and holds the estimate", () => {
    const x = [0.66, 0.657, 0.668, 0.704, 0.598, 0.628, 0.637, 0.598, 0.652];
    const y = [-0.005, -0.01, -0.008, -0.016, 0.01, 0.009, 0.009, 0.015, 0.008];
    const models = x.map((_, i) => model(`M${i}`));
    const runs = x.flatMap((_, i) => [run(`M${i}`, "ground_truth", 1, { validation: curve([0.3, 0.3 + y[i]!]) })]);
    const rows = models.map((m, i) => ({ ...m, staticEval: { greedyAccuracy: 0.3, passAtK: 0.5, selfCertaintyAuroc: x[i], k: 8 } }));
    const s = buildLeaderboard(rows, runs).predictors.find((p) => p.predictor === "self_certainty_auroc")!;
    expect(s.rho).toBeCloseTo(spearman(x, y), 12);
    expect(s.rhoInterval).toEqual(spearmanInterval(s.rho!, 9));
    expect(s.rhoInterval!.lo).toBeLessThan(s.rho!);
    expect(s.rhoInterval!.hi).toBeGreaterThan(s.rho!);
  });

  it("is not given for an undefined rho (every model's MCS censored at the same bound)", () => {
    const models = ["A", "B", "C", "D"].map(model);
    const runs = ["A", "B", "C", "D"].flatMap((m, i) => [
      run(m, "majority_vote", 1, { mcsStep: 150, mcsCensored: true }),
      run(m, "ground_truth", 1, { validation: curve([0, 0.1 * i]) }),
    ]);
    expect(mcsStats(buildLeaderboard(models, runs))).toMatchObject({ rho: null, rhoInterval: null });
  });
});

describe("protocols", () => {
  const short = protocolOf(trainConfigSchema.parse({ steps: 40, datasetSize: 256 }));

  it("ranks one protocol at a time; the default is listed first even without runs", () => {
    const runs = [
      run("A", "majority_vote", 1, { mcsStep: 200, mcsCensored: true }),
      run("A", "majority_vote", 2, { mcsStep: 15, mcsCensored: false, protocol: short, runId: "short-mv" }),
      run("A", "ground_truth", 2, { validation: curve([0.2, 0.5]), protocol: short, runId: "short-gt" }),
      run("B", "majority_vote", 1, { mcsStep: 12, mcsCensored: false, protocol: short, runId: "short-b" }),
    ];
    const board = buildLeaderboard([model("A"), model("B")], runs);
    expect(board.protocols).toEqual([
      { key: "default", label: "default", runs: 1, mcsRuns: 1, gtRuns: 0, pendingRuns: 0 },
      { key: short.key, label: "steps 40, datasetSize 256", runs: 3, mcsRuns: 2, gtRuns: 1, pendingRuns: 0 },
    ]);
    expect(board.rows.find((r) => r.model === "A")).toMatchObject({ mcs: cens(200), mcsRuns: 1, gtRuns: 0 });
    const other = buildLeaderboard([model("A"), model("B")], runs, short.key);
    expect(other.protocol.label).toBe("steps 40, datasetSize 256");
    expect(other.rows.map((r) => [r.model, r.mcsLabel, r.gtRuns])).toEqual([["A", "15", 1], ["B", "12", 0]]);
    expect(other.rows[0]!.runIds).toEqual(["short-mv", "short-gt"]);
    expect(buildLeaderboard([], [], JSON.stringify({ steps: 7 })).protocol.label).toBe("steps 7");
  });

  it("lists a protocol with only queued or running runs, and counts each model's pending figures", () => {
    const seven = protocolOf({ steps: 7 });
    const pending = [
      { baseModelId: "A", rewardMethod: "majority_vote", protocol: seven },
      { baseModelId: "A", rewardMethod: "ground_truth", protocol: seven },
      { baseModelId: "A", rewardMethod: "ground_truth", protocol: seven },
      { baseModelId: "B", rewardMethod: "self_certainty", protocol: seven },
      { baseModelId: "B", rewardMethod: "majority_vote", protocol: protocolOf({}) },
    ];
    const board = buildLeaderboard([model("A"), model("B")], [], seven.key, pending);
    expect(board.protocols).toEqual([
      { key: "default", label: "default", runs: 0, mcsRuns: 0, gtRuns: 0, pendingRuns: 1 },
      { key: seven.key, label: "steps 7", runs: 0, mcsRuns: 0, gtRuns: 0, pendingRuns: 3 },
    ]);
    expect(board.rows.map((r) => [r.model, r.pendingMcsRuns, r.pendingGtRuns])).toEqual([["A", 1, 2], ["B", 0, 0]]);
  });

  it("compares pass@k gain with GT gain on the models that have both", () => {
    const board = buildLeaderboard(
      [model("A", { greedyAccuracy: 0.1, passAtK: 0.2, k: 8 }), model("B", { greedyAccuracy: 0.1, passAtK: 0.5, k: 8 }), model("X", { greedyAccuracy: 0.1, passAtK: 0.9, k: 8 })],
      [
        run("A", "majority_vote", 1, { mcsStep: 10, mcsCensored: false }),
        run("B", "majority_vote", 1, { mcsStep: 20, mcsCensored: false }),
        run("A", "ground_truth", 1, { validation: curve([0, 0.1]) }),
        run("B", "ground_truth", 1, { validation: curve([0, 0.2]) }),
        run("X", "ground_truth", 1, { validation: curve([0, 0.3]) }), // no majority_vote run
      ],
    );
    const pass = board.predictors.find((p) => p.predictor === "pass_at_k_gain")!;
    expect(pass).toMatchObject({ n: 3, rho: 1 });
    expect(mcsStats(board)).toMatchObject({ n: 2, verdict: "too-few-models", rho: null });
  });
});

describe("leaderboard.get on Postgres", () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let prisma: PrismaClient;
  beforeAll(async () => {
    db = await createTestDatabase();
    ({ pool, prisma } = db);
  });
  afterAll(() => db?.close());

  it("aggregates hand-made runs: MCS from the writer, censoring, GT gain with its errors, protocols, unfinished runs ignored", async () => {
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
    // An unfinished run with an early collapse must not count, nor one of another protocol on the default board.
    await addRun(pool, { baseModelId: strong, rewardMethod: "majority_vote", status: "RUNNING", mcsStep: 1, mcsCensored: false });
    await addRun(pool, { baseModelId: strong, rewardMethod: "majority_vote", mcsStep: 2, mcsCensored: false, config: { lr: 0.01 } });
    for (const [modelId, seed, accs] of [
      [weak, 1, [0.2, 0.25, Number.NaN, 0.22, 0.23]],
      [strong, 1, [0.4, 0.7, 0.6, 0.8]],
      [strong, 2, [0.4, 0.5, 0.45, 0.55]],
    ] as const) {
      const id = await addRun(pool, { baseModelId: modelId, rewardMethod: "ground_truth", seed });
      await writeMetricBatch(pool, id, accs.flatMap((value, i) => [
        { key: "val/accuracy", step: i * 10, value, wallTime: wall + i },
        { key: "val/accuracy_se", step: i * 10, value: 0.01, wallTime: wall + i },
      ]));
    }
    const caller = createCaller({ prisma, headers: new Headers() });
    const board = await caller.leaderboard.get();
    const [first, second] = board.rows;
    expect(first).toMatchObject({ model: "strong", rank: 1, mcs: { step: 6, censored: true }, mcsLabel: "> 6", mcsRuns: 1, gtRuns: 2 });
    expect(first!.gtGain).toBeCloseTo(((0.7 + 0.6 + 0.8) / 3 - 0.4 + (0.5 + 0.45 + 0.55) / 3 - 0.4) / 2, 12);
    expect(first!.gtGainSe).toBeCloseTo(Math.sqrt(2) * 0.01, 9);
    expect(first!.initialAccuracySe).toBeCloseTo(0.01, 12);
    // weak's NaN validation is left out: (0.25 + 0.22 + 0.23) / 3 - 0.2.
    expect(second).toMatchObject({ model: "weak", rank: 2, mcs: { step: 4, censored: false }, mcsRuns: 2, gtRuns: 1 });
    expect(second!.gtGain).toBeCloseTo((0.25 + 0.22 + 0.23) / 3 - 0.2, 12);
    expect(second!.passAtKGain).toBeCloseTo(0.1, 12);
    expect(board.protocols.map((p) => [p.label, p.runs])).toEqual([["default", 6], ["lr 0.01", 1]]);
    const sweep = await caller.leaderboard.get({ protocol: board.protocols[1]!.key });
    expect(sweep.rows.find((r) => r.model === "strong")).toMatchObject({ mcsLabel: "2", mcsRuns: 1 });
  });
});
