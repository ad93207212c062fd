import { describe, expect, it } from "vitest";
import { PROTOCOL_SETTINGS, trainConfigSchema, usesDefaultProtocol } from "./config";

describe("usesDefaultProtocol", () => {
  const defaults = trainConfigSchema.parse({});

  it("holds for the defaults whatever the run's length, seed, validation or threshold", () => {
    expect(usesDefaultProtocol(defaults)).toBe(true);
    expect(usesDefaultProtocol(trainConfigSchema.parse({ steps: 900, seed: 4, valEvery: 5, valSize: 32, collapseThreshold: 0.05, threads: 1, model: "arith-tiny" }))).toBe(true);
  });

  it.each(PROTOCOL_SETTINGS.map((k) => [k]))("fails when %s differs from its default", (key) => {
    const value = defaults[key];
    const other = typeof value === "boolean" ? !value : typeof value === "number" ? (value === 0 ? 1 : value / 2) : "cosine";
    expect(usesDefaultProtocol({ ...defaults, [key]: other })).toBe(false);
  });

  it("counts a setting an outside trainer did not log as default", () => {
    expect(usesDefaultProtocol({ command: ["python", "train.py"] })).toBe(true);
    expect(usesDefaultProtocol(null)).toBe(true);
    expect(usesDefaultProtocol({ lr: 1e-6 })).toBe(false);
  });
});
