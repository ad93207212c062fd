// The statistics module against values computed by hand (small permutation tests, Spearman's and
// Kendall's tie rules, published critical values), a fixed-seed bootstrap, and power by simulation
// against the closed forms it must reproduce at the extremes.
import { describe, expect, it } from "vitest";
import { Rng } from "../util/rng";
import { bootstrap, percentileInterval, resample } from "./bootstrap";
import { rankTest } from "./permutation";
import { simulatePower, spearmanCritical } from "./power";
import { averageRanks, kendallTauB, pearson, spearman, spearmanInterval } from "./rank";
import { splitSeedReliability, standardErrorReliability } from "./reliability";
import { mean, median, quantile, sampleSd, standardError } from "./summary";

describe("summaries", () => {
  it("mean, sd, standard error, median, quantiles", () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(sampleSd([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(standardError([0, 1, 0, 1])).toBeCloseTo(Math.sqrt(1 / 3) / 2, 12);
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.25)).toBe(2);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(Number.isNaN(mean([]))).toBe(true);
  });
});

describe("rank correlations", () => {
  it("average ranks share ties; Spearman is Pearson of the ranks", () => {
    expect(averageRanks([10, 20, 20, 30])).toEqual([1, 2.5, 2.5, 4]);
    expect(spearman([1, 2, 3, 4], [10, 30, 20, 40])).toBeCloseTo(0.8, 12); // 1 - 6*2/60
    expect(spearman([1, 2, 3], [3, 2, 1])).toBe(-1);
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(Number.isNaN(spearman([1, 1, 1], [1, 2, 3]))).toBe(true);
  });

  it("rho's interval is Bonett and Wright's Fisher-z interval, undefined where z is", () => {
    // rho 0.5, n 10: atanh 0.5493, half-width 1.96 * sqrt(1.125 / 7) = 0.7857, back through tanh.
    const iv = spearmanInterval(0.5, 10)!;
    expect(iv.lo).toBeCloseTo(-0.232119, 5);
    expect(iv.hi).toBeCloseTo(0.870476, 5);
    expect(spearmanInterval(-0.93, 9)).toMatchObject({ lo: expect.closeTo(-0.989372, 5), hi: expect.closeTo(-0.604830, 5) });
    expect(spearmanInterval(0.3, 3)).toBeNull();
    expect(spearmanInterval(1, 10)).toBeNull();
    expect(spearmanInterval(Number.NaN, 10)).toBeNull();
  });

  it("Kendall's tau-b counts concordant pairs and corrects for ties", () => {
    // (2,3) is the one discordant pair of six: (5 - 1) / 6.
    expect(kendallTauB([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(4 / 6, 12);
    // x ties one pair: S = 5 over sqrt((6 - 1)(6 - 0)).
    expect(kendallTauB([1, 2, 2, 3], [1, 2, 3, 4])).toBeCloseTo(5 / Math.sqrt(30), 12);
    expect(kendallTauB([1, 2, 3], [3, 2, 1])).toBe(-1);
  });
});

describe("permutation tests", () => {
  it("enumerate all n! pairings: hand-counted p-values at n = 4", () => {
    // Only the identity reaches rho = tau = 1: p = 1/24.
    const perfect = rankTest([1, 2, 3, 4], [1, 2, 3, 4]);
    expect(perfect).toMatchObject({ rho: 1, tau: 1, exact: true, permutations: 24 });
    expect(perfect.pRho).toBeCloseTo(1 / 24, 12);
    expect(perfect.pTau).toBeCloseTo(1 / 24, 12);
    // rho = 0.8 and tau = 2/3: reached by the identity and the three adjacent swaps, 4 of 24.
    const one = rankTest([1, 2, 3, 4], [1, 3, 2, 4]);
    expect(one.pRho).toBeCloseTo(4 / 24, 12);
    expect(one.pTau).toBeCloseTo(4 / 24, 12);
    // Two-sided: the reversal is as extreme as the identity.
    expect(rankTest([1, 2, 3, 4], [1, 2, 3, 4], { alternative: "two-sided" }).pRho).toBeCloseTo(2 / 24, 12);
    // A perfectly reversed ranking is the least extreme in the positive direction.
    expect(rankTest([1, 2, 3, 4], [4, 3, 2, 1]).pRho).toBe(1);
  });

  it("keep ties: tied values share their rank in every pairing", () => {
    // x has a tie: rho over the 24 pairings takes fewer distinct values; the observed one (1 pair
    // tied, otherwise concordant) is reached by the identity and by swapping the tied pair's y.
    const t = rankTest([1, 2, 2, 3], [1, 2, 3, 4]);
    expect(t.pRho).toBeCloseTo(2 / 24, 12);
  });

  it("sample permutations above ten models, seeded", () => {
    const x = Array.from({ length: 12 }, (_, i) => i);
    const t = rankTest(x, x);
    expect(t).toMatchObject({ exact: false, permutations: 100_000 });
    expect(t.pRho).toBeCloseTo(1e-5, 12); // only the identity itself
    const noisy = x.map((v, i) => v + (i % 3) * 4);
    expect(rankTest(x, noisy)).toEqual(rankTest(x, noisy));
  });
});

describe("bootstrap", () => {
  it("is reproducible for a seed and brackets the mean as the closed form says", () => {
    const xs = [1, 2, 3, 4, 5];
    const reps = bootstrap((rng) => mean(resample(xs, rng)), { seed: 7 });
    expect(bootstrap((rng) => mean(resample(xs, rng)), { seed: 7 })).toEqual(reps);
    expect(reps).toHaveLength(2000);
    // The bootstrap distribution of the mean has sd sqrt(2) / sqrt(5) = 0.632 (population sd of xs
    // over sqrt(n)): a 95% interval near 3 +- 1.96 * 0.632.
    expect(sampleSd(reps)).toBeGreaterThan(0.6);
    expect(sampleSd(reps)).toBeLessThan(0.66);
    const ci = percentileInterval(reps);
    expect(ci.lo).toBeGreaterThan(1.6);
    expect(ci.lo).toBeLessThan(2);
    expect(ci.hi).toBeGreaterThan(4);
    expect(ci.hi).toBeLessThan(4.4);
    expect(resample([1, 2, 3], new Rng(1)).every((v) => [1, 2, 3].includes(v))).toBe(true);
  });
});

describe("power", () => {
  it("critical values of Spearman's rho match the published one-sided 5% table", () => {
    expect(spearmanCritical(4)).toBeCloseTo(1, 9);
    expect(spearmanCritical(5)).toBeCloseTo(0.9, 9);
    expect(spearmanCritical(8)).toBeCloseTo(0.643, 3);
    expect(spearmanCritical(10)).toBeCloseTo(0.564, 3);
  });

  it("is the test's size under no association and grows with reliability and n", () => {
    const none = simulatePower({ n: 8, rho: 0, reliabilityX: 1, reliabilityY: 1, simulations: 10_000 });
    expect(none.power).toBeGreaterThan(0.035);
    expect(none.power).toBeLessThan(0.056);
    // The previous study's design (8 models, true rho 0.9) at reliability 0.5 and 0.8.
    const half = simulatePower({ n: 8, rho: 0.9, reliabilityX: 0.5, reliabilityY: 0.5, simulations: 10_000 }).power;
    const most = simulatePower({ n: 8, rho: 0.9, reliabilityX: 0.8, reliabilityY: 0.8, simulations: 10_000 }).power;
    expect(half).toBeGreaterThan(0.22);
    expect(half).toBeLessThan(0.31);
    expect(most).toBeGreaterThan(0.55);
    expect(most).toBeLessThan(0.66);
    const perfect = simulatePower({ n: 10, rho: 0.8, reliabilityX: 1, reliabilityY: 1, simulations: 10_000 }).power;
    expect(perfect).toBeGreaterThan(most);
  });
});

describe("reliability", () => {
  it("split-seed: Spearman across models between seeds, stepped up with Spearman-Brown", () => {
    const a = [1, 2, 3, 4, 5];
    expect(splitSeedReliability([a, a]).value).toBeCloseTo(1, 12);
    // One pair at r = 0.8, two seeds: 2 * 0.8 / 1.8.
    const r = splitSeedReliability([[1, 2, 3, 4], [1, 3, 2, 4]]);
    expect(r.single).toBeCloseTo(0.8, 12);
    expect(r.value).toBeCloseTo(1.6 / 1.8, 12);
    expect(Number.isNaN(splitSeedReliability([[1, 2], [2, 1]]).value)).toBe(true);
    // Seeds that rank the models oppositely: no reliability (0), the raw correlation kept beside it.
    expect(splitSeedReliability([[1, 2, 3], [3, 2, 1]])).toMatchObject({ value: 0, single: -1 });
  });

  it("from standard errors: 1 - noise variance / observed variance", () => {
    expect(standardErrorReliability([1, 2, 3], [0.5, 0.5, 0.5]).value).toBeCloseTo(0.75, 12);
    expect(standardErrorReliability([1, 2, 3], [5, 5, 5]).value).toBe(0);
  });
});
