import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readManifest, type ModelManifest } from "../runner/engine/io/manifest";
import { METRICS } from "../runner/engine/metrics/metric-names";
import type { StepRecord } from "../runner/engine/train/api";
import { type TrainConfigInput, trainConfigSchema } from "../runner/engine/train/config";
import { train } from "../runner/engine/train/train";
import { analyzeZoo, studyLeaderboard } from "./analysis";
import { CURVES_CSV_COLUMNS, DISCUSSION_PLACEHOLDER, RUNS_CSV_COLUMNS, ZOO_MCS_HEADER, datasetFindings, writeReport, zooFindings } from "./report";
import type { StudyResults, StudyRunResult, StudySection } from "./types";
import { manifestFixture } from "../testing/study-fixtures";

const STEPS = 20;
const VAL_EVERY = 5;

/**
 * A run's records shaped like the engine's: step 0 with validation only, then every step, with
 * validation every VAL_EVERY steps. Reward accuracy falls below 0.01 at `collapseAt` (never when
 * null); val accuracy rises by `rise` to the middle and then falls back by `fall`.
 */
function curve(o: { collapseAt: number | null; val0: number; rise: number; fall: number; length?: [number, number] }): StepRecord[] {
  const out: StepRecord[] = [];
  const [len0, len1] = o.length ?? [20, 20];
  for (let s = 0; s <= STEPS; s++) {
    const metrics: Record<string, number> = {};
    if (s > 0) {
      const t = s / STEPS;
      metrics[METRICS.rewardAccuracy] = o.collapseAt !== null && s >= o.collapseAt ? 0.005 : 0.6 - 0.2 * t;
      metrics[METRICS.groundTruthReward] = o.val0 + o.rise * Math.sin(Math.PI * t) - o.fall * t;
      metrics[METRICS.proxyReward] = 0.5 + 0.45 * t;
      metrics[METRICS.entropy] = 1 - 0.8 * t;
      metrics[METRICS.lengthMean] = len0 + (len1 - len0) * t;
      metrics[METRICS.repetition] = 0.05;
      metrics[METRICS.klRef] = 0.002 * s;
    }
    if (s % VAL_EVERY === 0) {
      const t = s / STEPS;
      metrics[METRICS.valAccuracy] = o.val0 + (t <= 0.5 ? 2 * t * o.rise : o.rise - (2 * t - 1) * (o.rise + o.fall) / 1);
    }
    out.push({ step: s, metrics, wallTime: 1_700_000_000_000 + s * 1000 });
  }
  return out;
}

function run(sections: StudySection[], config: TrainConfigInput, records: StepRecord[], id?: string): StudyRunResult {
  const c = trainConfigSchema.parse({ steps: STEPS, valEvery: VAL_EVERY, ...config });
  return { spec: { id: id ?? `${c.model}.${c.reward}.n${c.datasetSize}${c.trainOnValidation ? ".ttt" : ""}.s${c.seed}`, sections, config: c }, records, seconds: 12.5 };
}

function manifest(name: string, steps: number, evaluation: Record<string, unknown>): ModelManifest {
  return manifestFixture(name, { evaluation: { prompts: 256, k: 8, ...evaluation }, details: { steps }, parameterCount: 111_104 });
}

function studyResults(zooGains: readonly number[] = [0.05, 0.15, 0.3]): StudyResults {
  const runs: StudyRunResult[] = [];
  // Zoo: three models; "long" never collapses, "brief" collapses early; GT gains in the same order.
  const zoo: [string, (number | null)[], number][] = [["arith-brief", [4, 6], zooGains[0]!], ["arith-small", [10, 12], zooGains[1]!], ["arith-long", [null, 16], zooGains[2]!]];
  for (const [model, mcs, gain] of zoo) {
    [1, 2].forEach((seed, i) => {
      const focus = model === "arith-small" && seed === 1;
      const extra: StudySection[] = focus ? ["dataset", "ttt"] : [];
      runs.push(run(["zoo", ...extra], { model, reward: "majority_vote", seed, datasetSize: 1024 }, curve({ collapseAt: mcs[i]!, val0: 0.3, rise: 0.05, fall: 0.2 })));
      runs.push(run(["zoo"], { model, reward: "ground_truth", seed }, curve({ collapseAt: null, val0: 0.3, rise: gain, fall: 0 })));
    });
  }
  // Methods on the focus model: one of each failure mode.
  runs.push(run(["methods"], { model: "arith-small", reward: "majority_vote", seed: 1, datasetSize: 2048 }, curve({ collapseAt: 10, val0: 0.3, rise: 0.1, fall: 0.2 })));
  runs.push(run(["methods"], { model: "arith-small", reward: "token_entropy", seed: 1 }, curve({ collapseAt: null, val0: 0.3, rise: 0.1, fall: 0.2, length: [20, 8] })));
  runs.push(run(["methods"], { model: "arith-small", reward: "self_certainty", seed: 1 }, curve({ collapseAt: null, val0: 0.3, rise: 0.0, fall: 0.0 })));
  // Dataset sizes: 32 stays up, 1024 (the zoo run) and 2048 collapse.
  runs.push(run(["dataset"], { model: "arith-small", reward: "majority_vote", seed: 1, datasetSize: 32 }, curve({ collapseAt: null, val0: 0.3, rise: 0.1, fall: 0 })));
  runs.push(run(["dataset"], { model: "arith-small", reward: "majority_vote", seed: 1, datasetSize: 2048 }, curve({ collapseAt: 8, val0: 0.3, rise: 0.05, fall: 0.2 }), "arith-small.majority_vote.n2048.s1.dataset"));
  // Test-time training.
  runs.push(run(["ttt"], { model: "arith-small", reward: "majority_vote", seed: 1, trainOnValidation: true, datasetSize: 128 }, curve({ collapseAt: null, val0: 0.3, rise: 0.2, fall: -0.05 })));
  // External, on countdown.
  for (const [reward, rise, fall] of [["self_verification", 0.2, -0.1], ["token_entropy", 0.05, 0.2], ["ground_truth", 0.3, 0]] as const) {
    runs.push(run(["external"], { model: "countdown-small", task: "countdown", reward, seed: 1 }, curve({ collapseAt: null, val0: 0.2, rise, fall })));
  }
  return {
    plan: {
      mode: "quick",
      rankedModels: zoo.map((z) => z[0]),
      excludedModels: [],
      seeds: [1, 2],
      steps: STEPS,
      focusModel: "arith-small",
      intrinsicMethods: ["majority_vote", "self_certainty", "token_entropy"],
      datasetSizes: [32, 1024, 2048],
      externalModel: "countdown-small",
      externalMethods: ["self_verification", "token_entropy", "ground_truth"],
      pilotLearningRates: [],
      runs: runs.map((r) => r.spec),
    },
    runs,
    models: {
      "arith-brief": manifest("arith-brief", 500, { greedyAccuracy: 0.2, passAtK: 0.3, majAtK: 0.2 }),
      "arith-small": manifest("arith-small", 1500, { greedyAccuracy: 0.4, passAtK: 0.6, majAtK: 0.4 }),
      "arith-long": manifest("arith-long", 4000, { greedyAccuracy: 0.5, passAtK: 0.9, majAtK: 0.5 }),
      "countdown-small": manifest("countdown-small", 2000, { greedyAccuracy: 0.2, passAtK: 0.5, majAtK: 0.2 }),
    },
    machine: { cpu: "Test CPU", cores: 2, memoryGiB: 8, os: "linux x64", node: "v20.19.0", onnxruntime: "1.30.0" },
    startedAt: "2026-01-01T00:00:00.000Z",
    finishedAt: "2026-01-01T01:00:00.000Z",
    wallSeconds: 3600,
  };
}

/** The cells of the Markdown table whose header row holds `column`, one array per body row. */
function markdownTable(md: string, column: string): { header: string[]; rows: string[][] } {
  const lines = md.split("\n");
  const cells = (line: string) => line.slice(2, -2).split(" | ").map((c) => c.replace(/\\\|/g, "|"));
  const start = lines.findIndex((l) => l.startsWith("| ") && cells(l).includes(column));
  expect(start).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (let i = start + 2; i < lines.length && lines[i]!.startsWith("| "); i++) rows.push(cells(lines[i]!));
  return { header: cells(lines[start]!), rows };
}

describe("writeReport", () => {
  const results = studyResults();
  let dir: string;
  let written: string[];
  let md: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "urlvr-study-report-"));
    written = await writeReport(results, dir);
    md = readFileSync(join(dir, "README.md"), "utf8");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes the README, the CSVs and one PNG per chart, all linked from the README", () => {
    const names = written.map((p) => p.slice(dir.length + 1)).sort();
    expect(names).toEqual(
      [
        "README.md", "runs.csv", "models.csv", "curves.csv",
        "zoo-reward-accuracy.png", "zoo-mcs-vs-gt-gain.png",
        "methods-val-accuracy.png", "methods-gt-reward.png", "methods-proxy-reward.png", "methods-length.png", "methods-repetition.png",
        "dataset-reward-accuracy.png", "dataset-val-accuracy.png", "ttt-val-accuracy.png", "external-val-accuracy.png", "external-gt-reward.png",
      ].sort(),
    );
    for (const name of names.filter((n) => n.endsWith(".png"))) {
      const png = readFileSync(join(dir, name));
      expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      expect(statSync(join(dir, name)).size).toBeGreaterThan(10_000);
      expect(md).toContain(`](${name})`);
    }
  });

  it("the zoo table's MCS column is the leaderboard's", () => {
    const board = studyLeaderboard(results);
    const { header, rows } = markdownTable(md, ZOO_MCS_HEADER);
    const model = header.indexOf("model");
    const mcs = header.indexOf(ZOO_MCS_HEADER);
    expect(rows.map((r) => [r[model], r[mcs]])).toEqual(board.rows.map((r) => [r.model, `${r.mcsLabel} ${r.mcsInterval!.label}`]));
    // Hand check: long is censored in seed 1 (> 20) and collapsed at 16 in seed 2 -> median censored.
    expect(rows.map((r) => r[mcs]!.split(" [")[0])).toEqual(["> 18", "11", "5"]);
  });

  it("states the findings from the numbers, with placeholders for the discussion", () => {
    // rho = 1 over 3 models happens by chance 1 time in 6, and three models cannot have the power for a verdict.
    expect(md).toContain("**Cannot tell (underpowered).** Underpowered: power ");
    // No interval for a perfect ranking of three models (Fisher's z is infinite; n below 4).
    expect(md).toContain("rho 1.00, one-sided exact p 0.167, n 3. No verdict.");
    expect(md).toContain("**Secondary analyses** (pre-registered)");
    expect(md).toContain("reward accuracy below 0.5x its start");
    expect(md).toMatch(/Collapse starts at 1024 prompts/);
    expect(md).toContain("token_entropy (seed 1)");
    expect(md).toContain("failure mode: length collapse");
    expect(md.split(DISCUSSION_PLACEHOLDER).length - 1).toBe(5);
    expect(md).toContain("npm run study");
  });

  it("writes CSVs that parse, with one row per run and per record", () => {
    const runs = parse(readFileSync(join(dir, "runs.csv")), { columns: true }) as Record<string, string>[];
    expect(Object.keys(runs[0]!)).toEqual([...RUNS_CSV_COLUMNS]);
    expect(runs.map((r) => r.run_id)).toEqual(results.runs.map((r) => r.spec.id));
    const small = runs.find((r) => r.run_id === "arith-small.majority_vote.n1024.s1")!;
    expect(small).toMatchObject({ sections: "zoo dataset ttt", lr: "0.0002", mcs_step: "10", mcs_censored: "false", failure_mode: "gradual degradation" });
    const models = parse(readFileSync(join(dir, "models.csv")), { columns: true }) as Record<string, string>[];
    expect(models.map((m) => m.model)).toEqual(["arith-long", "arith-small", "arith-brief"]);
    const curves = parse(readFileSync(join(dir, "curves.csv")), { columns: true }) as Record<string, string>[];
    expect(Object.keys(curves[0]!)).toEqual([...CURVES_CSV_COLUMNS]);
    expect(curves.length).toBe(results.runs.reduce((a, r) => a + r.records.length, 0));
    expect(curves[0]![METRICS.rewardAccuracy]).toBe(""); // step 0 holds validation only
    expect(Number(curves[0]![METRICS.valAccuracy])).toBeCloseTo(0.3);
  });
});

describe("findings follow the numbers", () => {
  it("gives no verdict on an underpowered design, whichever way the models rank", () => {
    const reversed = studyResults([0.3, 0.15, 0.05]);
    const text = zooFindings(analyzeZoo(reversed), reversed);
    expect(text).toContain("**Cannot tell (underpowered).**");
    expect(text).toContain("rho -1.00");
    expect(text).not.toContain("Reproduces.");
    expect(text).not.toContain("Does not reproduce.");
  });

  it("says the dataset result does not reproduce when the smallest size collapses, or none does", () => {
    const row = (size: number, censored: boolean) => ({
      size, runs: [], mcs: { step: 10, censored }, mcsLabel: censored ? "> 10" : "10", collapsedRuns: censored ? 0 : 1, peakVal: 0.4, finalVal: 0.1,
    });
    expect(datasetFindings({ rows: [row(32, false), row(128, false)], collapseOnset: 32, monotone: true }, 10)).toMatch(/^\*\*Does not reproduce\.\*\* Even the smallest dataset \(32 prompts\)/);
    expect(datasetFindings({ rows: [row(32, true), row(128, true)], collapseOnset: null, monotone: true }, 10)).toMatch(/^\*\*Does not reproduce within the budget\.\*\*/);
    expect(datasetFindings({ rows: [row(32, true), row(128, false), row(512, true)], collapseOnset: 128, monotone: false }, 10)).toMatch(/^\*\*Partly reproduces\.\*\*/);
  });
});

describe("writeReport on real engine runs", () => {
  it("reports a short study trained by the engine", async () => {
    const base = { steps: 3, promptsPerStep: 2, groupSize: 2, valEvery: 1, valSize: 4, fullValSize: 4, valK: 2, threads: 1 } as const;
    const planned: [StudySection[], TrainConfigInput][] = [
      [["zoo", "methods", "ttt"], { model: "arith-small", reward: "majority_vote" }],
      [["zoo"], { model: "arith-small", reward: "ground_truth" }],
      [["zoo"], { model: "arith-l4-1500", reward: "majority_vote" }],
      [["zoo"], { model: "arith-l4-1500", reward: "ground_truth" }],
      [["methods"], { model: "arith-small", reward: "token_entropy" }],
      [["dataset"], { model: "arith-small", reward: "majority_vote", datasetSize: 32 }],
      [["ttt"], { model: "arith-small", reward: "majority_vote", trainOnValidation: true }],
    ];
    const runs: StudyRunResult[] = [];
    for (const [sections, config] of planned) {
      const records: StepRecord[] = [];
      const c = trainConfigSchema.parse({ ...base, ...config });
      await train(c, { onStep: (r) => void records.push(r) });
      runs.push({ spec: { id: `${c.model}.${c.reward}.n${c.datasetSize}${c.trainOnValidation ? ".ttt" : ""}.s${c.seed}`, sections, config: c }, records, seconds: 0.5 });
    }
    const models = Object.fromEntries(
      ["arith-small", "arith-l4-1500"].map((m) => [m, readManifest(join("models", m))]),
    );
    const results: StudyResults = {
      plan: {
        mode: "quick", rankedModels: ["arith-small", "arith-l4-1500"], excludedModels: [], seeds: [1], steps: 3, focusModel: "arith-small",
        intrinsicMethods: ["majority_vote", "token_entropy"], datasetSizes: [32], externalModel: "countdown-small", externalMethods: [], pilotLearningRates: [],
        runs: runs.map((r) => r.spec),
      },
      runs,
      models,
      machine: { cpu: "test", cores: 2, memoryGiB: 8, os: "linux", node: process.version, onnxruntime: "test" },
      startedAt: "2026-01-01T00:00:00.000Z",
      finishedAt: "2026-01-01T00:01:00.000Z",
      wallSeconds: 60,
    };
    const dir = mkdtempSync(join(tmpdir(), "urlvr-study-real-"));
    try {
      const written = await writeReport(results, dir);
      const md = readFileSync(join(dir, "README.md"), "utf8");
      const { header, rows } = markdownTable(md, ZOO_MCS_HEADER);
      expect(rows.map((r) => r[header.indexOf(ZOO_MCS_HEADER)])).toEqual(
        studyLeaderboard(results).rows.map((r) => `${r.mcsLabel || "–"}${r.mcsInterval ? ` ${r.mcsInterval.label}` : ""}`),
      );
      expect(md).toContain("The plan has no external runs.");
      for (const png of written.filter((p) => p.endsWith(".png"))) expect([...readFileSync(png).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
      const curves = parse(readFileSync(join(dir, "curves.csv")), { columns: true }) as Record<string, string>[];
      expect(curves.length).toBe(runs.length * 4); // step 0 and 3 steps per run
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
