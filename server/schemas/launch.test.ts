import { describe, expect, it } from "vitest";
import { trainConfigSchema } from "@/runner/engine/train/config";
import { protocolOf } from "@/runner/engine/train/protocol";
import { TRAIN_DEFAULTS, estimateCost, expandGrid, gridSize, launchInputSchema, launchPrefill, launchPrefillQuerySchema, runConfig } from "./launch";

const A = "5b3f6c1e-1d2a-4c3b-9a8e-111111111111";
const B = "5b3f6c1e-1d2a-4c3b-9a8e-222222222222";

const valid = {
  name: "grid",
  baseModelIds: [A, B],
  rewardMethods: ["majority_vote", "ground_truth"],
  task: "arith",
  datasetSizes: [32, 1024],
  seeds: [1, 2, 3],
};

describe("launch grid", () => {
  it("expands every combination once, models x rewards x sizes x seeds", () => {
    const v = launchInputSchema.parse(valid);
    const cells = expandGrid(v);
    expect(cells).toHaveLength(2 * 2 * 2 * 3);
    expect(gridSize(v)).toBe(24);
    expect(new Set(cells.map((c) => JSON.stringify(c))).size).toBe(24);
    expect(cells[0]).toEqual({ baseModelId: A, rewardMethod: "majority_vote", datasetSize: 32, seed: 1 });
    expect(cells[23]).toEqual({ baseModelId: B, rewardMethod: "ground_truth", datasetSize: 1024, seed: 3 });
  });

  it("without dataset sizes, trains on fresh prompts: one run per other cell, datasetSize left to the engine", () => {
    const v = launchInputSchema.parse({ ...valid, datasetSizes: [] });
    const cells = expandGrid(v);
    expect(cells).toHaveLength(2 * 2 * 3);
    expect(gridSize(v)).toBe(12);
    expect(cells[0]).toEqual({ baseModelId: A, rewardMethod: "majority_vote", datasetSize: undefined, seed: 1 });
    expect(runConfig(v, cells[0]!, "arith-small").datasetSize).toBeUndefined();
    expect(launchInputSchema.parse({ ...valid, datasetSizes: undefined }).datasetSizes).toEqual([]);
  });

  it("fills hyperparameters from trainConfigSchema's defaults and builds a valid engine config", () => {
    const v = launchInputSchema.parse(valid);
    expect(v.groupSize).toBe(TRAIN_DEFAULTS.groupSize);
    expect(v.steps).toBe(TRAIN_DEFAULTS.steps);
    const config = runConfig(v, expandGrid(v)[5], "arith-small");
    expect(trainConfigSchema.parse(config)).toEqual(config);
    expect(config).toMatchObject({ model: "arith-small", reward: "majority_vote", datasetSize: 1024, seed: 3, steps: 200 });
  });

  it("estimates cost as runs x steps x prompts x group (tokens bounded by max new tokens)", () => {
    const c = estimateCost({ runs: 4, steps: 6, promptsPerStep: 4, groupSize: 4, valEvery: 0 });
    expect(c.rollouts).toBe(4 * 6 * 4 * 4);
    expect(c.validationSamples).toBe(0);
    expect(c.tokens).toBe(c.rollouts * TRAIN_DEFAULTS.maxNewTokens);
    // 200 steps validated every 25: full at 0, 150, 175, 200; light at 25..125 (5 of them); 9 samples per prompt.
    const v = estimateCost({ runs: 1, steps: 200, promptsPerStep: 32, groupSize: 8, valEvery: 25 });
    expect(v.validationSamples).toBe((4 * 1024 + 5 * 256) * 9);
    expect(estimateCost({ runs: 1, steps: Number.NaN, promptsPerStep: 4, groupSize: 4, valEvery: 3 }).rollouts).toBe(0);
  });

  it("reports bad fields by name, with the engine's ranges", () => {
    const r = launchInputSchema.safeParse({ ...valid, name: " ", datasetSizes: [8], seeds: [1, 1], groupSize: 1, temperature: 0, rewardMethods: [] });
    expect(r.success).toBe(false);
    const keys = new Set(r.error!.issues.map((i) => i.path[0]));
    for (const k of ["name", "datasetSizes", "seeds", "groupSize", "temperature", "rewardMethods"]) expect(keys).toContain(k);
  });

  it("refuses a grid above the cap", () => {
    const r = launchInputSchema.safeParse({ ...valid, datasetSizes: [32, 64, 128, 256, 512, 1024, 2048, 4096], seeds: Array.from({ length: 16 }, (_, i) => i) });
    expect(r.success).toBe(false);
    expect(r.error!.issues.some((i) => i.path[0] === "grid")).toBe(true);
  });
});

describe("launch prefill", () => {
  const known = { models: ["arith-small", "arith-large"] };
  const prefill = (q: Record<string, string | string[]>) => launchPrefill(launchPrefillQuerySchema.parse(q), known);

  it("reproduces a leaderboard protocol, so the launched runs rank under it", () => {
    const protocol = protocolOf({ steps: 150, lr: 1e-4, maxNewTokens: 48, datasetSize: 256, valK: 4 });
    const p = prefill({ protocol: protocol.key, model: ["arith-small", "arith-large"], reward: "majority_vote,ground_truth", seeds: "1,2,3" });
    expect(p).toMatchObject({
      modelNames: ["arith-small", "arith-large"],
      rewardMethods: ["majority_vote", "ground_truth"],
      seeds: "1,2,3",
      datasetSizes: "256",
      hyper: { steps: 150, lr: 1e-4, maxNewTokens: 48, valK: 4 },
    });
    // The form's values, launched, give back the same protocol.
    const input = launchInputSchema.parse({ ...valid, baseModelIds: [A], rewardMethods: ["majority_vote"], datasetSizes: [256], seeds: [1], ...p.hyper });
    const cell = expandGrid(input)[0]!;
    expect(protocolOf(runConfig(input, cell, "arith-small")).key).toBe(protocol.key);
  });

  it("says what it could not use instead of dropping it silently", () => {
    const p = prefill({ protocol: JSON.stringify({ lrSchedule: "cosine", steps: 7, lr: -1 }), model: "no-such-model", reward: "bogus" });
    expect(p.hyper).toEqual({ steps: 7 });
    expect(p.modelNames).toEqual([]);
    expect(p.notes.join(" ")).toMatch(/no-such-model/);
    expect(p.notes.join(" ")).toMatch(/Unknown reward method, left out: bogus/);
    expect(p.notes.join(" ")).toMatch(/cannot set lrSchedule "cosine", lr -1/);
    expect(prefill({ protocol: "{not json" }).notes).toEqual([expect.stringMatching(/not one the leaderboard shows/)]);
    expect(prefill({ protocol: "default" })).toMatchObject({ hyper: {}, notes: ["Prefilled with the default training protocol."] });
  });
});
