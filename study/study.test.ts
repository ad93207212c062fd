// The study's machinery on two tiny real models: runs execute in the runner's worker processes, a
// stop in the middle resumes without replaying or losing a step, and once imported into Postgres
// the dashboard's leaderboard shows the numbers the report computes.
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { differences, referenceMetrics, withoutPerf, type Metrics } from "../testing/engine";
import { readModelDir } from "../runner/engine/io/manifest";
import { trainConfigSchema, type TrainConfigInput } from "../runner/engine/train/config";
import { protocolOf } from "../runner/engine/train/protocol";
import { tinyConfig, tinyModel, type TinyModel } from "../runner/engine/train/tiny-model";
import { createTestDatabase } from "../testing/database";
import { getLeaderboard } from "../server/services/leaderboard";
import { studyLeaderboard } from "./analysis";
import { importStudy } from "./import";
import { ResultsFolder } from "./results";
import { runPlan } from "./run";
import type { StudyPlan, StudyResults, StudyRunSpec } from "./types";

let models: TinyModel[] = [];
let tmp: string;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), "urlvr-study-"));
  models = [await tinyModel("study-a", { steps: 300 }), await tinyModel("study-b", { steps: 300, seed: 2 })];
}, 120_000);
afterAll(() => {
  for (const m of models) m.remove();
  rmSync(tmp, { recursive: true, force: true });
});

/**
 * Two models x two seeds x (majority_vote, ground_truth) under one short protocol, plus one
 * learning-rate pilot run, another protocol, that the zoo's leaderboard must leave out.
 */
function tinyPlan(): StudyPlan {
  const runs: StudyRunSpec[] = [];
  const config = (model: string, over: Partial<TrainConfigInput>) =>
    trainConfigSchema.parse(tinyConfig(model, { steps: 6, valEvery: 2, checkpointEvery: 2, collapseThreshold: 0.5, ...over }));
  models.forEach((m, i) => {
    for (const seed of [1, 2]) {
      for (const reward of ["majority_vote", "ground_truth"] as const) {
        runs.push({ id: `m${i}.${reward}.s${seed}`, sections: ["zoo"], config: config(m.model, { reward, seed }) });
      }
    }
  });
  runs.push({ id: "m0.ground_truth.lr.s1", sections: ["pilot"], config: config(models[0]!.model, { reward: "ground_truth", seed: 1, lr: 1e-2 }) });
  return {
    mode: "quick", rankedModels: models.map((m) => m.model), excludedModels: [], seeds: [1, 2], steps: 6, focusModel: models[0]!.model,
    intrinsicMethods: ["majority_vote"], datasetSizes: [], externalModel: models[0]!.model, externalMethods: [], pilotLearningRates: [1e-2], runs,
  };
}

function asMetrics(records: StudyResults["runs"][number]["records"]): Metrics {
  const out: Metrics = new Map();
  for (const r of records) {
    for (const [k, v] of Object.entries(r.metrics)) {
      if (!out.has(k)) out.set(k, new Map());
      out.get(k)!.set(r.step, v);
    }
  }
  return out;
}

describe("npm run study's machinery", () => {
  const plan = () => tinyPlan();
  let results: StudyResults;

  it("runs every run in a worker, and a stopped study resumes to the uninterrupted records", async () => {
    const p = plan();
    const folder = new ResultsFolder(path.join(tmp, "results"));
    folder.open(p, false);
    const log: string[] = [];
    // Stop as soon as the first checkpoint is on disk: the runs in flight are cut mid-way.
    const abort = new AbortController();
    const poll = setInterval(() => {
      if (readdirSync(path.join(folder.dir, "runs")).some((f) => f.endsWith(".ckpt"))) abort.abort();
    }, 10);
    const first = await runPlan(p, folder, { parallel: 2, signal: abort.signal, log: (l) => log.push(l), progressEvery: 2 });
    clearInterval(poll);
    expect(first.stopped).toBe(true);
    expect(first.failed).toEqual([]);
    const unfinished = p.runs.filter((r) => !folder.state(r.id)?.done);
    expect(unfinished.length).toBeGreaterThan(0);
    expect(unfinished.some((r) => existsSync(path.join(folder.dir, "runs", `${r.id}.ckpt`)))).toBe(true);

    // The same plan again (a new folder object, as a new invocation would make) finishes the rest.
    const again = new ResultsFolder(folder.dir);
    again.open(p, false);
    const second = await runPlan(p, again, { parallel: 2, signal: new AbortController().signal, log: (l) => log.push(l), progressEvery: 2 });
    expect(second).toMatchObject({ stopped: false, failed: [] });
    expect(log.some((l) => /already finished/.test(l))).toBe(first.finished.length > 0);

    const runs = again.finishedRuns(p);
    for (const run of runs) {
      expect(run.records.map((r) => r.step)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      const want = await referenceMetrics(run.spec.config);
      expect(differences(withoutPerf(asMetrics(run.records)), withoutPerf(want)), run.spec.id).toEqual([]);
    }
    const manifests = Object.fromEntries(models.map((m) => [m.model, readModelDir(m.model).manifest]));
    const now = new Date().toISOString();
    results = {
      plan: p, runs, models: manifests, startedAt: now, finishedAt: now, wallSeconds: 1,
      machine: { cpu: "test", cores: 2, memoryGiB: 1, os: "test", node: process.version, onnxruntime: "test" },
    };
  }, 240_000);

  it("refuses a results folder made by another plan", () => {
    const other = { ...plan(), steps: 7 };
    expect(() => new ResultsFolder(path.join(tmp, "results")).open(other, false)).toThrow(/different plan.*--fresh/);
  });

  it("the dashboard's leaderboard shows the report's numbers once the study is imported", async () => {
    expect(results, "needs the first test's results").toBeDefined();
    const report = studyLeaderboard(results);
    // Both models ranked from their two seeds; the pilot run (another protocol) is in neither.
    expect(report.rows.map((r) => r.mcsRuns)).toEqual([2, 2]);
    expect(report.rows.map((r) => r.gtRuns)).toEqual([2, 2]);
    const db = await createTestDatabase();
    try {
      await importStudy(db.prisma, db.pool, results);
      await expect(importStudy(db.prisma, db.pool, results)).rejects.toThrow(/already in this database/);
      const board = await getLeaderboard(db.prisma, protocolOf(results.runs[0]!.spec.config).key);
      const pick = (b: typeof board) =>
        b.rows.map((r) => ({ model: r.model, rank: r.rank, mcs: r.mcs, mcsLabel: r.mcsLabel, mcsRuns: r.mcsRuns, gtGain: r.gtGain, gtRuns: r.gtRuns, passAtKGain: r.passAtKGain }));
      expect(pick(board)).toEqual(pick(report));
      expect(board.predictors).toEqual(report.predictors);
      // Every run is on the dashboard, the pilot run included; the leaderboard leaves it out by its protocol.
      expect(await db.prisma.run.count({ where: { status: "SUCCEEDED" } })).toBe(results.runs.length);
    } finally {
      await db.close();
    }
  }, 120_000);
});
