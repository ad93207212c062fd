// The static evaluation on a tiny real model: its figures agree with each other and with a direct
// recomputation from the same samples, it is deterministic for a seed, and pretraining records it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readModelDir } from "../io/manifest";
import type { ModelConfig, Params } from "../model/config";
import { initParams } from "../model/init";
import { createPolicySession, type Policy } from "../model/policy";
import { auroc } from "../metrics/auroc";
import { passAtK } from "../metrics/sampling";
import { selfCertainty } from "../rewards/methods";
import { getTask } from "../tasks/registry";
import { Rng } from "../util/rng";
import { staticEvalKs, staticEvalProblems } from "./pretrain";
import { sampleGroups } from "./rollouts";
import { staticEvaluation } from "./static-eval";
import { tinyModel, type TinyModel } from "./tiny-model";

let tiny: TinyModel;
let config: ModelConfig;
let params: Params;
let policy: Policy;
const task = getTask("arith", 2);
const problems = staticEvalProblems(task).slice(0, 32);

beforeAll(async () => {
  tiny = await tinyModel("static-eval", { steps: 400 });
  ({ config, params } = readModelDir(tiny.model));
  policy = await createPolicySession(config, { threads: 1 });
});
afterAll(async () => {
  await policy?.release();
  tiny?.remove();
});

const evaluate = (seed: number, o: { ks?: number[]; chunkSize?: number; params?: Params } = {}) =>
  staticEvaluation(policy, o.params ?? params, task, problems, {
    ks: o.ks ?? [4, 1, 2, 4],
    maxNewTokens: config.context,
    rng: Rng.derive(seed, "static-eval"),
    chunkSize: o.chunkSize,
  });

describe("staticEvaluation", () => {
  it("gives consistent figures: pass@1 is the sample accuracy, pass@k grows with k, headline at the largest k", async () => {
    const progress: Array<[number, number]> = [];
    const e = await staticEvaluation(policy, params, task, problems, {
      ks: [4, 1, 2, 4], maxNewTokens: config.context, rng: Rng.derive(3, "static-eval"), chunkSize: 20,
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(e).toMatchObject({ prompts: 32, k: 4, samples: 128 });
    expect(Object.keys(e.passAt)).toEqual(["1", "2", "4"]);
    expect(Object.keys(e.majAt)).toEqual(["1", "2", "4"]);
    expect(e.passAt["1"]).toBeCloseTo(e.sampleAccuracy, 12);
    expect(e.passAt["2"]).toBeGreaterThanOrEqual(e.passAt["1"]!);
    expect(e.passAt["4"]).toBeGreaterThanOrEqual(e.passAt["2"]!);
    expect(e.passAtK).toBe(e.passAt["4"]);
    expect(e.majAtK).toBe(e.majAt["4"]);
    // With all samples in view, a correct majority implies a correct sample.
    expect(e.majAtK).toBeLessThanOrEqual(e.passAtK);
    for (const v of [e.greedyAccuracy, e.sampleAccuracy, ...Object.values(e.passAt), ...Object.values(e.majAt)]) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    // This model gets a few samples right, so both classes are there.
    expect(e.sampleAccuracy).toBeGreaterThan(0);
    expect(e.sampleAccuracy).toBeLessThan(1);
    expect(e.selfCertaintyAuroc).toBeGreaterThanOrEqual(0);
    expect(e.selfCertaintyAuroc).toBeLessThanOrEqual(1);
    // 20 sequences per call -> 5 prompts x 4 samples per chunk.
    expect(progress.map(([d]) => d)).toEqual([20, 40, 60, 80, 100, 120, 128]);
    expect(progress.every(([, t]) => t === 128)).toBe(true);
    expect(JSON.parse(JSON.stringify(e))).toEqual(e);
  });

  it("matches a direct recomputation from the same samples (one chunk)", async () => {
    const e = await evaluate(5, { ks: [1, 4] });
    const rng = Rng.derive(5, "static-eval");
    const greedy = await sampleGroups(policy, params, task, problems, { groupSize: 1, temperature: 0, topP: 1, maxNewTokens: config.context, rng });
    const rollouts = await sampleGroups(policy, params, task, problems, { groupSize: 4, temperature: 1, topP: 1, maxNewTokens: config.context, rng });
    // The certainty of each sample as the scorer computes it (temperature 1), not the sampler's own.
    const scores = await policy.score(params, rollouts.map((r) => [...r.prompt, ...r.response]), rollouts.map((r) => r.prompt.length));
    const certainty = selfCertainty(rollouts.map((r, i) => ({
      answer: r.answer, correct: r.correct,
      logprobs: scores[i]!.logprob, entropies: scores[i]!.entropy, selfCertainties: scores[i]!.selfCertainty,
    })));
    const correct = rollouts.map((r) => r.correct);
    const a = auroc(certainty, correct);
    expect(e.greedyAccuracy).toBe(greedy.filter((r) => r.correct).length / problems.length);
    expect(e.sampleAccuracy).toBe(correct.filter(Boolean).length / correct.length);
    expect(e.selfCertaintyAuroc).toBe(Number.isNaN(a) ? null : a);
    let pass4 = 0;
    for (let p = 0; p < problems.length; p++) pass4 += passAtK(4, correct.slice(p * 4, p * 4 + 4).filter(Boolean).length, 4);
    expect(e.passAt["4"]).toBeCloseTo(pass4 / problems.length, 12);
  });

  it("is deterministic for a seed, whatever else ran before, and changes with the seed", async () => {
    const a = await evaluate(11, { chunkSize: 8 });
    await evaluate(12);
    const b = await evaluate(11, { chunkSize: 8 });
    expect(b).toEqual(a);
    const others = await Promise.all([evaluate(13, { chunkSize: 8 }), evaluate(14, { chunkSize: 8 })]);
    expect(others.some((o) => JSON.stringify(o) !== JSON.stringify(a))).toBe(true);
  });

  it("has no AUROC when every sample is wrong (an untrained model)", async () => {
    const random = initParams(config, Rng.derive(1, "init"));
    const e = await evaluate(1, { params: random, ks: [2] });
    expect(e.sampleAccuracy).toBe(0);
    expect(e.passAtK).toBe(0);
    expect(e.selfCertaintyAuroc).toBeNull();
  });

  it("rejects ks that are not positive integers", async () => {
    await expect(evaluate(1, { ks: [] })).rejects.toThrow("positive integer ks");
    await expect(evaluate(1, { ks: [0, 2] })).rejects.toThrow("positive integer ks");
  });
});

describe("the base model's static evaluation", () => {
  it("takes k = 1, 8 and the headline k, none above it", () => {
    expect(staticEvalKs(64)).toEqual([1, 8, 64]);
    expect(staticEvalKs(8)).toEqual([1, 8]);
    expect(staticEvalKs(16)).toEqual([1, 8, 16]);
    expect(staticEvalKs(2)).toEqual([1, 2]);
    expect(staticEvalKs(1)).toEqual([1]);
  });

  it("is what pretraining writes into the manifest, old fields kept with their meaning", () => {
    const { manifest } = readModelDir(tiny.model);
    const e = manifest.evaluation as Record<string, unknown>;
    expect(e).toMatchObject({ prompts: 256, k: 2, samples: 512 });
    expect(e.passAt).toEqual({ "1": expect.any(Number), "2": expect.any(Number) });
    expect(Object.keys(e).sort()).toEqual(
      [
        "prompts", "greedyAccuracy", "k", "passAtK", "majAtK", "passAt", "majAt", "sampleAccuracy", "selfCertaintyAuroc", "samples",
        // Each figure's standard error over the prompts (the leaderboard's reliability and intervals).
        "greedyAccuracySe", "sampleAccuracySe", "passAtKGainSe", "selfCertaintyAurocSe",
      ].sort(),
    );
    for (const k of ["greedyAccuracySe", "sampleAccuracySe", "passAtKGainSe"]) expect(e[k]).toBeGreaterThan(0);
    expect(e.passAtK).toBe((e.passAt as Record<string, number>)["2"]);
    expect(e.majAtK).toBe((e.majAt as Record<string, number>)["2"]);
  });
});
