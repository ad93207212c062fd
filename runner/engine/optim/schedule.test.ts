import { describe, expect, it } from "vitest";
import { learningRate, validateSchedule } from "./schedule";

describe("learning-rate schedules", () => {
  it("constant", () => {
    expect(learningRate({ kind: "constant", lr: 3e-4 }, 0)).toBe(3e-4);
    expect(learningRate({ kind: "constant", lr: 3e-4 }, 999)).toBe(3e-4);
  });

  it("cosine with linear warmup", () => {
    const s = { kind: "cosine", peakLr: 1, warmupSteps: 4, totalSteps: 14, minLr: 0.1 } as const;
    expect([0, 1, 2, 3].map((t) => learningRate(s, t))).toEqual([0.25, 0.5, 0.75, 1]);
    expect(learningRate(s, 4)).toBeCloseTo(1, 12);
    expect(learningRate(s, 9)).toBeCloseTo(0.55, 12); // halfway: min + (peak-min)/2
    expect(learningRate(s, 14)).toBeCloseTo(0.1, 12);
    expect(learningRate(s, 100)).toBeCloseTo(0.1, 12);
    for (let t = 4; t < 14; t++) expect(learningRate(s, t + 1)).toBeLessThan(learningRate(s, t));
  });

  it("validates", () => {
    expect(() => validateSchedule({ kind: "cosine", peakLr: 1, warmupSteps: 10, totalSteps: 5 })).toThrow(/totalSteps/);
    expect(() => validateSchedule({ kind: "cosine", peakLr: 1, warmupSteps: 0, totalSteps: 5, minLr: 2 })).toThrow(/minLr/);
    expect(() => validateSchedule({ kind: "constant", lr: -1 })).toThrow(/lr/);
    expect(() => learningRate({ kind: "constant", lr: 1 }, -1)).toThrow(/step/);
  });
});
