import { describe, expect, it } from "vitest";
import { mcsNotApplicable, modelCollapseStep } from "./mcs";
import { averageRanks, spearman } from "../stats/rank";

describe("modelCollapseStep", () => {
  it("finds the first step below the threshold, in step order", () => {
    const pts = [
      { step: 30, value: 0.005 },
      { step: 10, value: 0.5 },
      { step: 20, value: 0.009 },
      { step: 40, value: 0.2 },
    ];
    expect(modelCollapseStep(pts)).toEqual({ step: 20, censored: false });
    expect(modelCollapseStep(pts, 0.001)).toEqual({ step: 40, censored: true });
  });

  it("does not count exactly-threshold or NaN values as collapse", () => {
    expect(modelCollapseStep([{ step: 1, value: 0.01 }, { step: 2, value: Number.NaN }])).toEqual({ step: 2, censored: true });
    expect(modelCollapseStep([{ step: 1, value: Number.NaN }, { step: 2, value: 0 }])).toEqual({ step: 2, censored: false });
  });

  it("is censored at 0 for no points", () => {
    expect(modelCollapseStep([])).toEqual({ step: 0, censored: true });
  });
});

describe("spearman", () => {
  it("averages tied ranks", () => {
    expect(averageRanks([10, 20, 20, 5])).toEqual([2, 3.5, 3.5, 1]);
  });

  it("is 1/-1 for monotone relations and matches a hand-computed tied case", () => {
    expect(spearman([1, 2, 3, 4], [10, 100, 1000, 10000])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // x ranks [1,2,3], y = [1,1,2] -> ranks [1.5,1.5,3]; pearson = 1.5 / sqrt(2 * 1.5)
    expect(spearman([1, 2, 3], [1, 1, 2])).toBeCloseTo(1.5 / Math.sqrt(3), 12);
  });

  it("ranks the paper's MCS against GT gain positively", () => {
    const mcs = [34, 40, 160, 221, 245, 280, 383];
    const gain = [0.42, 1.01, 3.96, 3.96, 6.67, 7.08, 17.08];
    const rho = spearman(mcs, gain);
    expect(rho).toBeGreaterThan(0.95);
    expect(rho).toBeLessThan(1);
  });

  it("returns NaN for degenerate input and rejects bad input", () => {
    expect(spearman([1], [2])).toBeNaN();
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNaN();
    expect(() => spearman([1, 2], [1])).toThrow(/lengths/);
    expect(() => spearman([1, Number.NaN], [1, 2])).toThrow(/NaN/);
  });
});

describe("where MCS applies", () => {
  it("every reward method but ground_truth, whose reward accuracy is 1 by construction", () => {
    expect(mcsNotApplicable("ground_truth")).toMatch(/by construction/);
    for (const m of ["majority_vote", "self_certainty", "token_entropy"]) expect(mcsNotApplicable(m)).toBeNull();
  });
});
