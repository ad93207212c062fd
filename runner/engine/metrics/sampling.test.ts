import { describe, expect, it } from "vitest";
import { majAtK, meanRepetition, passAtK, repetitionRate } from "./sampling";

function binom(n: number, k: number): number {
  let r = 1;
  for (let i = 0; i < k; i++) r = (r * (n - i)) / (i + 1);
  return r;
}

describe("repetition", () => {
  it("is 1 - distinct/total n-grams", () => {
    expect(repetitionRate([1, 1, 1, 1, 1, 1, 1, 1])).toBeCloseTo(0.8, 12); // 5 4-grams, 1 distinct
    expect(repetitionRate([1, 2, 3, 4, 5, 6])).toBe(0);
    expect(repetitionRate([1, 2, 1, 2, 1, 2], 2)).toBeCloseTo(1 - 2 / 5, 12);
    expect(repetitionRate([1, 2])).toBe(0);
    expect(meanRepetition([[1, 1, 1, 1, 1, 1, 1, 1], [1, 2]])).toBeCloseTo(0.4, 12);
  });
});

describe("pass@k", () => {
  it("matches 1 - C(n-c,k)/C(n,k)", () => {
    for (const [n, c, k] of [[10, 3, 1], [10, 3, 4], [16, 1, 8], [5, 0, 2], [20, 7, 10]]) {
      expect(passAtK(n, c, k)).toBeCloseTo(1 - binom(n - c, k) / binom(n, k), 12);
    }
    expect(passAtK(10, 3, 1)).toBeCloseTo(0.3, 12);
    expect(passAtK(4, 2, 3)).toBe(1);
    expect(() => passAtK(4, 5, 1)).toThrow();
    expect(() => passAtK(4, 1, 5)).toThrow();
  });
});

describe("maj@k", () => {
  it("takes the majority of the first k with the first-seen tie rule", () => {
    const s = [
      { answer: "1", correct: true },
      { answer: "2", correct: false },
      { answer: "2", correct: false },
      { answer: "1", correct: true },
      { answer: "1", correct: true },
    ];
    expect(majAtK(s, 3)).toBe(0);
    expect(majAtK(s, 4)).toBe(1); // tie 2-2, "1" first
    expect(majAtK([{ answer: null, correct: false }], 1)).toBe(0);
    expect(() => majAtK(s, 6)).toThrow();
  });
});
