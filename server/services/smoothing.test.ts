import { describe, expect, it } from "vitest";
import { emaSmooth } from "./smoothing";

describe("emaSmooth (TensorBoard EMA with debias)", () => {
  it("weight 0 is the identity", () => {
    expect(emaSmooth([1, 5, 2], 0)).toEqual([1, 5, 2]);
  });

  it("starts at the first value (bias correction) and follows the recurrence", () => {
    const w = 0.6;
    const xs = [10, 0, 5, 5];
    const out = emaSmooth(xs, w);
    let last = 0;
    xs.forEach((x, i) => {
      last = last * w + (1 - w) * x;
      expect(out[i]).toBeCloseTo(last / (1 - w ** (i + 1)), 12);
    });
    expect(out[0]).toBeCloseTo(10, 12);
    // hand value: step 2: last = 0.6*4 + 0 = 2.4, debias 1 - 0.36 = 0.64 -> 3.75
    expect(out[1]).toBeCloseTo(3.75, 12);
  });

  it("keeps a constant series constant at every weight", () => {
    for (const w of [0.1, 0.5, 0.9, 0.99]) for (const v of emaSmooth([0.3, 0.3, 0.3, 0.3, 0.3], w)) expect(v).toBeCloseTo(0.3, 12);
  });

  it("passes NaN and infinities through without poisoning later values", () => {
    const out = emaSmooth([1, Number.NaN, 1, Number.POSITIVE_INFINITY, 1], 0.9);
    expect(Number.isNaN(out[1])).toBe(true);
    expect(out[3]).toBe(Number.POSITIVE_INFINITY);
    expect(out[0]).toBeCloseTo(1, 12);
    expect(out[2]).toBeCloseTo(1, 12);
    expect(out[4]).toBeCloseTo(1, 12);
  });

  it("rejects weights outside [0, 1)", () => {
    expect(() => emaSmooth([1], 1)).toThrow(RangeError);
    expect(() => emaSmooth([1], -0.1)).toThrow(RangeError);
  });
});
