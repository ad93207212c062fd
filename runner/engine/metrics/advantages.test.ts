import { describe, expect, it } from "vitest";
import { groupAdvantages } from "./advantages";

describe("groupAdvantages", () => {
  it("normalizes within each group with the unbiased std", () => {
    // group [1,0,0,0]: mean 0.25, unbiased std = sqrt((0.5625 + 3*0.0625)/3) = 0.5
    const a = groupAdvantages([1, 0, 0, 0, 2, 2, 2, 2], 4);
    expect(a[0]).toBeCloseTo(0.75 / (0.5 + 1e-6), 12);
    expect(a[1]).toBeCloseTo(-0.25 / (0.5 + 1e-6), 12);
    expect([...a.slice(4)]).toEqual([0, 0, 0, 0]);
  });

  it("rejects ragged batches and single-rollout groups", () => {
    expect(() => groupAdvantages([1, 2, 3], 2)).toThrow(/groups of 2/);
    expect(() => groupAdvantages([1], 1)).toThrow(/groupSize/);
  });
});
