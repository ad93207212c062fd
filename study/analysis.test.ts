import { describe, expect, it } from "vitest";
import type { ModelManifest } from "../runner/engine/io/manifest";
import { METRICS } from "../runner/engine/metrics/metric-names";
import type { StepRecord } from "../runner/engine/train/api";
import { type TrainConfigInput, trainConfigSchema } from "../runner/engine/train/config";
import { buildLeaderboard } from "../server/services/leaderboard-table";
import { protocolOf } from "../runner/engine/train/protocol";
import {
  analyzeDataset,
  analyzePilot,
  choosePilotLearningRate,
  analyzeTtt,
  analyzeZoo,
  edgeMeans,
  failureMode,
  relativeCollapseStep,
  movingMean,
  riseFall,
  runFigures,
  series,
  shapeOf,
  staticEvalFigures,
  studyLeaderboard,
  summarizeRun,
} from "./analysis";
import type { StudyResults, StudyRunResult, StudySection } from "./types";
import { manifestFixture } from "../testing/study-fixtures";

/** Records from per-metric arrays: index i is step i + 1; `val` maps step -> val/accuracy (step 0 included). */
function records(train: Record<string, number[]>, val: Record<number, number> = {}): StepRecord[] {
  const steps = Math.max(0, ...Object.values(train).map((a) => a.length));
  const out: StepRecord[] = [];
  for (let s = 0; s <= steps; s++) {
    const metrics: Record<string, number> = {};
    if (s > 0) for (const [k, a] of Object.entries(train)) if (a[s - 1] !== undefined) metrics[k] = a[s - 1]!;
    if (val[s] !== undefined) metrics[METRICS.valAccuracy] = val[s]!;
    if (s === 0 && Object.keys(metrics).length === 0) continue;
    out.push({ step: s, metrics, wallTime: 1_700_000_000_000 + s });
  }
  return out;
}

function run(id: string, sections: StudySection[], config: TrainConfigInput, recs: StepRecord[]): StudyRunResult {
  return { spec: { id, sections, config: trainConfigSchema.parse(config) }, records: recs, seconds: 1 };
}

function manifest(name: string, evaluation: Record<string, unknown>, details: Record<string, unknown> = {}): ModelManifest {
  return manifestFixture(name, { evaluation, details });
}

function results(runs: StudyRunResult[], models: Record<string, ModelManifest>, ranked: string[]): StudyResults {
  return {
    plan: {
      mode: "quick", rankedModels: ranked, excludedModels: [], seeds: [1, 2], steps: 10, focusModel: ranked[0]!,
      intrinsicMethods: ["majority_vote"], datasetSizes: [32, 128], externalModel: "c", externalMethods: [], pilotLearningRates: [1e-4, 5e-4], runs: runs.map((r) => r.spec),
    },
    runs,
    models,
    machine: { cpu: "test", cores: 2, memoryGiB: 4, os: "linux", node: "v20", onnxruntime: "1" },
    startedAt: "2026-01-01T00:00:00Z",
    finishedAt: "2026-01-01T01:00:00Z",
    wallSeconds: 3600,
  };
}

describe("series helpers", () => {
  it("series keeps finite values in step order", () => {
    const recs: StepRecord[] = [
      { step: 2, metrics: { a: 3 }, wallTime: 0 },
      { step: 1, metrics: { a: Number.NaN }, wallTime: 0 },
      { step: 0, metrics: { a: 1 }, wallTime: 0 },
    ];
    expect(series(recs, "a")).toEqual([{ step: 0, value: 1 }, { step: 2, value: 3 }]);
  });

  it("movingMean is a trailing mean with a short start", () => {
    const pts = [1, 2, 3, 4].map((v, i) => ({ step: i + 1, value: v }));
    expect(movingMean(pts, 2).map((p) => p.value)).toEqual([1, 1.5, 2.5, 3.5]);
  });

  it("edgeMeans averages the first and last tenth (at least one point)", () => {
    const pts = Array.from({ length: 20 }, (_, i) => ({ step: i + 1, value: i }));
    expect(edgeMeans(pts)).toEqual({ start: 0.5, end: 18.5 });
    expect(edgeMeans(pts.slice(0, 3))).toEqual({ start: 0, end: 2 });
    expect(edgeMeans([])).toEqual({ start: null, end: null });
  });

  it("riseFall finds the first peak and the fall back", () => {
    const pts = [0.2, 0.5, 0.5, 0.3].map((v, i) => ({ step: i * 10, value: v }));
    const rf = riseFall(pts);
    expect(rf).toMatchObject({ initial: 0.2, peak: 0.5, peakStep: 10, final: 0.3 });
    expect(rf.rise).toBeCloseTo(0.3);
    expect(rf.fall).toBeCloseTo(0.2);
    expect(shapeOf(rf, 0.05)).toBe("rise then fall");
    expect(shapeOf(riseFall([{ step: 0, value: 0.5 }, { step: 1, value: 0.3 }]), 0.05)).toBe("fall");
    expect(shapeOf(riseFall([{ step: 0, value: 0.5 }, { step: 1, value: 0.52 }]), 0.05)).toBe("flat");
  });
});

describe("failureMode", () => {
  const flat = (v: number, n = 20) => Array<number>(n).fill(v);
  it("length collapse: end length under 0.6 x start", () => {
    const length = [...flat(20, 10), ...flat(11, 10)]; // start mean 20, end mean 11 < 12
    const f = failureMode(records({ [METRICS.lengthMean]: length, [METRICS.repetition]: flat(0.05) }), 40);
    expect(f.mode).toBe("length collapse");
    expect(f.lengthStart).toBe(20);
    expect(f.lengthEnd).toBe(11);
  });

  it("length collapse also when the length grows to the cap", () => {
    const length = [...flat(20, 10), ...flat(39, 10)];
    expect(failureMode(records({ [METRICS.lengthMean]: length }), 40).mode).toBe("length collapse");
  });

  it("repetition collapse: end > 0.3 and > 3 x start", () => {
    const rep = [...flat(0.1, 10), ...flat(0.35, 10)];
    expect(failureMode(records({ [METRICS.lengthMean]: flat(20), [METRICS.repetition]: rep }), 40).mode).toBe("repetition collapse");
    // Always repetitive (0.35 from the start): not a collapse of repetition.
    expect(failureMode(records({ [METRICS.lengthMean]: flat(20), [METRICS.repetition]: flat(0.35) }), 40).mode).toBe("no collapse");
  });

  it("gradual degradation: val falls by the margin, length and repetition in place", () => {
    const recs = records({ [METRICS.lengthMean]: flat(20), [METRICS.repetition]: flat(0.05) }, { 0: 0.5, 10: 0.6, 20: 0.5 });
    const f = failureMode(recs, 40);
    expect(f.mode).toBe("gradual degradation");
    expect(f.valFall).toBeCloseTo(0.1);
    const steady = records({ [METRICS.lengthMean]: flat(20) }, { 0: 0.5, 10: 0.6, 20: 0.58 });
    expect(failureMode(steady, 40).mode).toBe("no collapse");
  });
});

describe("per run and zoo", () => {
  // Reward accuracy falls below 0.01 at step 4 for "a" seed 1; never for "b".
  const ra = (xs: number[]) => ({ [METRICS.rewardAccuracy]: xs });
  const runs = [
    run("a.mv.s1", ["zoo"], { model: "a", reward: "majority_vote", seed: 1, steps: 5 }, records(ra([0.5, 0.3, 0.02, 0.005, 0.5]), { 0: 0.3, 5: 0.2 })),
    run("a.mv.s2", ["zoo"], { model: "a", reward: "majority_vote", seed: 2, steps: 5 }, records(ra([0.5, 0.3, 0.2, 0.1, 0.009]), { 0: 0.3, 5: 0.2 })),
    run("a.gt.s1", ["zoo"], { model: "a", reward: "ground_truth", seed: 1, steps: 5 }, records(ra([1, 1, 1, 1, 1]), { 0: 0.3, 3: 0.5, 5: 0.4 })),
    run("b.mv.s1", ["zoo"], { model: "b", reward: "majority_vote", seed: 1, steps: 5 }, records(ra([0.5, 0.5, 0.5, 0.5, 0.5]), { 0: 0.4 })),
    run("b.gt.s1", ["zoo"], { model: "b", reward: "ground_truth", seed: 1, steps: 5 }, records(ra([1, 1, 1, 1, 1]), { 0: 0.4, 5: 0.9 })),
    run("a.mv.n32.s1", ["dataset"], { model: "a", reward: "majority_vote", seed: 1, steps: 5, datasetSize: 32 }, records(ra([0.5, 0.5, 0.5, 0.5, 0.5]))),
  ];
  const res = results(runs, {
    a: manifest("a", { greedyAccuracy: 0.3, k: 8, passAtK: 0.5 }, { steps: 1500, corruption: "carry_error:0.3" }),
    b: manifest("b", { greedyAccuracy: 0.4, k: 8, passAtK: 0.9 }, { steps: 4000 }),
  }, ["a", "b"]);

  it("runFigures carries MCS by the engine's rule, the run's protocol and its validation curve", () => {
    expect(runFigures(runs[0]!)).toEqual({
      runId: "a.mv.s1", baseModelId: "a", rewardMethod: "majority_vote", seed: 1, mcsStep: 4, mcsCensored: false,
      protocol: protocolOf({ steps: 5 }),
      validation: [{ step: 0, value: 0.3, se: null }, { step: 5, value: 0.2, se: null }],
    });
    expect(runFigures(runs[3]!)).toMatchObject({ mcsStep: 5, mcsCensored: true });
  });

  it("studyLeaderboard is buildLeaderboard over the zoo runs only", () => {
    const board = studyLeaderboard(res);
    const direct = buildLeaderboard(
      [
        { id: "a", name: "a", family: "arith-gpt", staticEval: res.models.a!.evaluation },
        { id: "b", name: "b", family: "arith-gpt", staticEval: res.models.b!.evaluation },
      ],
      runs.slice(0, 5).map(runFigures),
      protocolOf({ steps: 5 }).key,
    );
    expect(board).toEqual(direct);
    expect(board.protocol.label).toBe("steps 5");
    // b never collapsed: censored, ranked first. a: seeds at 4 and 5 -> median 4.5.
    expect(board.rows.map((r) => [r.model, r.mcsLabel])).toEqual([["b", "> 5"], ["a", "4.5"]]);
    // The mean of the validations after step 0 (at most three) minus the initial one.
    expect(board.rows[0]!.gtGain).toBeCloseTo(0.5);
    expect(board.rows[1]!.gtGain).toBeCloseTo((0.5 + 0.4) / 2 - 0.3);
  });

  it("analyzeZoo lists per-seed figures and manifest details", () => {
    const zoo = analyzeZoo(res);
    const a = zoo.rows.find((r) => r.row.model === "a")!;
    expect(a.mcsPerSeed).toEqual([{ seed: 1, value: { step: 4, censored: false } }, { seed: 2, value: { step: 5, censored: false } }]);
    expect(a.gtGainPerSeed[0]!.value).toBeCloseTo(0.15);
    expect(a.corruption).toBe("carry_error:0.3");
    expect(a.pretrainingSteps).toBe(1500);
    expect(zoo.rows.find((r) => r.row.model === "b")!.corruption).toBe("none");
    expect(zoo.leaderboard.predictors.find((p) => p.predictor === "mcs")!.verdict).toBe("too-few-models"); // two models
  });

  it("summarizeRun gives MCS, val shape and GT gain", () => {
    const s = summarizeRun(runs[2]!);
    expect(s.val).toMatchObject({ initial: 0.3, peak: 0.5, peakStep: 3, final: 0.4 });
    expect(s.gain).toBeCloseTo(0.2);
    expect(s.mcs).toEqual({ step: 5, censored: true });
  });
});


describe("dataset and test-time training", () => {
  const ra = (xs: number[]) => ({ [METRICS.rewardAccuracy]: xs });
  const cfg = (datasetSize: number, extra: TrainConfigInput = {}): TrainConfigInput => ({ model: "a", reward: "majority_vote", seed: 1, steps: 3, datasetSize, ...extra });
  const runs = [
    run("n32", ["dataset"], cfg(32), records(ra([0.5, 0.5, 0.5]), { 0: 0.3, 3: 0.4 })),
    run("n128", ["dataset"], cfg(128), records(ra([0.5, 0.5, 0.5]), { 0: 0.3, 3: 0.35 })),
    run("n512", ["dataset", "zoo", "ttt"], cfg(512), records(ra([0.5, 0.005, 0.5]), { 0: 0.3, 3: 0.1 })),
    run("n2048", ["dataset"], cfg(2048), records(ra([0.005, 0.5, 0.5]), { 0: 0.3, 3: 0.05 })),
    run("ttt", ["ttt"], cfg(128, { trainOnValidation: true }), records(ra([0.5, 0.5, 0.5]), { 0: 0.3, 3: 0.6 })),
  ];
  const res = results(runs, {}, ["a"]);

  it("collapse starts at the smallest size that collapsed", () => {
    const d = analyzeDataset(res);
    expect(d.rows.map((r) => [r.size, r.mcsLabel])).toEqual([[32, "> 3"], [128, "> 3"], [512, "2"], [2048, "1"]]);
    expect(d.collapseOnset).toBe(512);
    expect(d.monotone).toBe(true);
  });

  it("pairs each ttt run with the standard run of the same model and seed", () => {
    const [pair] = analyzeTtt(res);
    expect(pair!.ttt.id).toBe("ttt");
    expect(pair!.standard!.id).toBe("n512");
    expect(pair!.ttt.gain).toBeCloseTo(0.3);
    expect(pair!.standard!.gain).toBeCloseTo(0);
  });
});

describe("staticEvalFigures", () => {
  it("reads the static evaluation with pass@k per k and the self-certainty AUROC", () => {
    const e = { prompts: 256, greedyAccuracy: 0.5, k: 64, passAtK: 0.9, majAtK: 0.6, passAt: { "8": 0.7, "1": 0.4, "64": 0.9 }, selfCertaintyAuroc: 0.66 };
    expect(Object.entries(staticEvalFigures(e))).toEqual([
      ["greedy", 0.5], ["pass@1", 0.4], ["pass@8", 0.7], ["pass@64", 0.9], ["maj@64", 0.6], ["self-certainty AUROC", 0.66],
    ]);
  });
  it("falls back to the headline pass@k and leaves out what is missing", () => {
    expect(staticEvalFigures({ greedyAccuracy: 0.2, k: 8, passAtK: 0.3, majAtK: 0.2, selfCertaintyAuroc: null })).toEqual({ greedy: 0.2, "pass@8": 0.3, "maj@8": 0.2 });
    expect(staticEvalFigures(undefined)).toEqual({});
  });
});

describe("pilot", () => {
  const gt = (id: string, lr: number, val: Record<number, number>) =>
    run(id, ["pilot"], { model: "a", reward: "ground_truth", seed: 1, steps: 5, lr }, records({ [METRICS.rewardAccuracy]: [1, 1, 1, 1, 1] }, val));
  it("reports each rate's GT gain by the leaderboard's rule and chooses the largest, the smaller rate on a tie", () => {
    const runs = [
      gt("p3", 5e-4, { 0: 0.3, 1: 0.3, 3: 0.4, 4: 0.4, 5: 0.4 }), // +0.1
      gt("p1", 1e-4, { 0: 0.3, 1: 0.9, 3: 0.3, 4: 0.3, 5: 0.3 }), // a peak that does not count: 0
      gt("p2", 2e-4, { 0: 0.3, 1: 0.3, 3: 0.35, 4: 0.35, 5: 0.35 }), // +0.05
    ];
    const rows = analyzePilot(results(runs, {}, ["a"]));
    expect(rows.map((r) => [r.lr, r.runId])).toEqual([[1e-4, "p1"], [2e-4, "p2"], [5e-4, "p3"]]);
    expect(rows.map((r) => r.gain!.gain)).toEqual([expect.closeTo(0, 12), expect.closeTo(0.05, 12), expect.closeTo(0.1, 12)]);
    expect(choosePilotLearningRate(rows)).toBe(5e-4);
    const tie = [rows[0]!, { ...rows[2]!, lr: 1e-3 }, rows[2]!];
    expect(choosePilotLearningRate(tie)).toBe(5e-4);
    expect(choosePilotLearningRate([{ lr: 1e-4, runId: "x", gain: null }])).toBeNull();
  });
});

describe("secondary collapse rule", () => {
  const mv = (ra: number[]) => run("m", ["zoo"], { model: "a", reward: "majority_vote", seed: 1, steps: ra.length }, records({ [METRICS.rewardAccuracy]: ra }));
  it("collapses at the first step after the first five below the share of their mean", () => {
    // Start 0.6; half is 0.3: step 8 is the first below it (step 3's dip is inside the baseline steps).
    const r = mv([0.6, 0.6, 0.2, 0.8, 0.8, 0.5, 0.35, 0.29, 0.1, 0.1]);
    expect(relativeCollapseStep(r, 0.5)).toEqual({ step: 8, censored: false });
    expect(relativeCollapseStep(r, 0.2)).toEqual({ step: 9, censored: false });
    expect(relativeCollapseStep(mv([0.5, 0.5, 0.5, 0.5, 0.5, 0.4, 0.4]), 0.5)).toEqual({ step: 7, censored: true });
  });
});
