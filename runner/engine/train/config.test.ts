import { describe, expect, it } from "vitest";
import { effectiveDatasetSize, fullEvaluationSteps, trainConfigSchema } from "./config";
import { PROTOCOL_SETTINGS, protocolOf, usesDefaultProtocol } from "./protocol";

describe("protocols", () => {
  const defaults = trainConfigSchema.parse({});

  it("the defaults are the default protocol whatever the seed, device, threads or light validation size", () => {
    expect(usesDefaultProtocol(defaults)).toBe(true);
    expect(protocolOf(trainConfigSchema.parse({ seed: 4, valSize: 32, threads: 1, checkpointEvery: 7, model: "arith-tiny", reward: "ground_truth" })))
      .toEqual({ key: "default", label: "default", differences: [] });
  });

  it.each(PROTOCOL_SETTINGS.filter((k) => k !== "difficulty" && k !== "task" && k !== "datasetSize").map((k) => [k]))("a run whose %s differs has its own protocol", (key) => {
    const value = defaults[key as keyof typeof defaults];
    const other = typeof value === "boolean" ? !value : typeof value === "number" ? (value === 0 ? 1 : value / 2) : "cosine";
    const p = protocolOf({ ...defaults, [key]: other });
    expect(p.key).not.toBe("default");
    expect(p.differences).toEqual([[key, other]]);
  });

  it("names the differences, in one key for every run that shares them", () => {
    const a = protocolOf(trainConfigSchema.parse({ steps: 40, datasetSize: 256, seed: 1 }));
    const b = protocolOf(trainConfigSchema.parse({ datasetSize: 256, steps: 40, seed: 2, reward: "ground_truth" }));
    expect(a.label).toBe("steps 40, datasetSize 256");
    expect(b.key).toBe(a.key);
    expect(protocolOf({ task: "countdown" }).label).toBe("task countdown");
    expect(protocolOf({ difficulty: 4 }).label).toBe("difficulty 4");
  });

  it("a dataset that holds every step's prompts fresh is the default one-epoch protocol", () => {
    expect(usesDefaultProtocol({ steps: 200, promptsPerStep: 32, datasetSize: 6400 })).toBe(true);
    expect(usesDefaultProtocol({ datasetSize: 16384 })).toBe(true);
    expect(protocolOf({ datasetSize: 1024 }).label).toBe("datasetSize 1024");
  });

  it("counts a setting an outside trainer did not log as default", () => {
    expect(usesDefaultProtocol({ command: ["python", "train.py"] })).toBe(true);
    expect(usesDefaultProtocol(null)).toBe(true);
    expect(usesDefaultProtocol({ lr: 1e-6 })).toBe(false);
  });
});

describe("data and evaluation schedule", () => {
  it("draws fresh prompts for every step by default, and a set size repeats them", () => {
    expect(effectiveDatasetSize(trainConfigSchema.parse({}))).toBe(200 * 32);
    expect(effectiveDatasetSize(trainConfigSchema.parse({ steps: 40, promptsPerStep: 8 }))).toBe(320);
    expect(effectiveDatasetSize(trainConfigSchema.parse({ datasetSize: 32 }))).toBe(32);
  });

  it("runs the full evaluation at the last three validations", () => {
    expect(fullEvaluationSteps({ steps: 200, valEvery: 25 })).toEqual([150, 175, 200]);
    expect(fullEvaluationSteps({ steps: 210, valEvery: 25 })).toEqual([175, 200, 210]);
    expect(fullEvaluationSteps({ steps: 30, valEvery: 25 })).toEqual([25, 30]);
    expect(fullEvaluationSteps({ steps: 30, valEvery: 0 })).toEqual([]);
  });

});
