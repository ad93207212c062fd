import { describe, expect, it } from "vitest";
import { auroc } from "./auroc";

describe("auroc", () => {
  it("is 1 when every positive outscores every negative, 0 when the reverse", () => {
    expect(auroc([0.9, 0.8, 0.1, 0.2], [true, true, false, false])).toBe(1);
    expect(auroc([0.1, 0.2, 0.9, 0.8], [true, true, false, false])).toBe(0);
  });

  it("counts the pairs a positive wins", () => {
    // Pairs (pos, neg): (3,2) win, (3,4) loss, (1,2) loss, (1,4) loss -> 1/4.
    expect(auroc([3, 1, 2, 4], [true, true, false, false])).toBe(0.25);
    // Positives 5, 2; negatives 1, 3, 4: 5 beats all three, 2 beats 1 -> 4/6.
    expect(auroc([5, 1, 3, 2, 4], [true, false, false, true, false])).toBeCloseTo(4 / 6, 12);
  });

  it("counts a tie between a positive and a negative as one half", () => {
    expect(auroc([1, 1], [true, false])).toBe(0.5);
    expect(auroc([2, 2, 2, 2], [true, false, true, false])).toBe(0.5);
    // Positives 2, 1; negatives 2, 0: (2,2) half, (2,0) win, (1,2) loss, (1,0) win -> 2.5/4.
    expect(auroc([2, 1, 2, 0], [true, true, false, false])).toBe(0.625);
    // Ties among positives alone change nothing: every positive still beats the one negative.
    expect(auroc([3, 3, 1, 2], [true, true, false, true])).toBe(1);
  });

  it("does not depend on the order of the samples or on a monotone rescaling of the scores", () => {
    const scores = [0.3, 0.7, 0.7, 0.1, 0.5, 0.9, 0.2, 0.5];
    const labels = [false, true, false, false, true, true, false, false];
    const a = auroc(scores, labels);
    const perm = [7, 2, 5, 0, 3, 6, 1, 4];
    expect(auroc(perm.map((i) => scores[i]!), perm.map((i) => labels[i]!))).toBeCloseTo(a, 12);
    expect(auroc(scores.map((s) => Math.exp(3 * s) - 10), labels)).toBeCloseTo(a, 12);
    // Brute force over all pairs.
    let wins = 0, pairs = 0;
    scores.forEach((p, i) => scores.forEach((n, j) => {
      if (!labels[i] || labels[j]) return;
      pairs++;
      wins += p > n ? 1 : p === n ? 0.5 : 0;
    }));
    expect(a).toBeCloseTo(wins / pairs, 12);
  });

  it("orders infinite scores like any others", () => {
    expect(auroc([Infinity, -Infinity, 0], [true, false, false])).toBe(1);
  });

  it("is NaN when a class is empty", () => {
    expect(auroc([1, 2], [true, true])).toBeNaN();
    expect(auroc([1, 2], [false, false])).toBeNaN();
    expect(auroc([], [])).toBeNaN();
  });

  it("rejects mismatched lengths and NaN scores", () => {
    expect(() => auroc([1, 2], [true])).toThrow("one label per score");
    expect(() => auroc([1, Number.NaN], [true, false])).toThrow("score 1 is NaN");
  });
});
