// Permutation tests of rank association: how often a random pairing of the two measures correlates
// at least as strongly as the observed one. With few models no large-sample approximation holds,
// so up to EXACT_LIMIT pairs every permutation is enumerated (10! = 3.6M, about a second); above
// it, a seeded Monte Carlo sample of permutations. Ties are kept as they are (average ranks, tau-b).
import { Rng } from "../util/rng";
import { averageRanks, kendallTauB, spearman } from "./rank";

export const EXACT_LIMIT = 10;
export const MONTE_CARLO_PERMUTATIONS = 100_000;

export type Alternative = "greater" | "two-sided";

export interface RankTest {
  n: number;
  rho: number;
  tau: number;
  /** p-values of rho and tau under the alternative; NaN when the statistic is undefined. */
  pRho: number;
  pTau: number;
  alternative: Alternative;
  /** True when every permutation was enumerated; false for a Monte Carlo estimate. */
  exact: boolean;
  permutations: number;
}

// Ties between permuted statistics and the observed one are decided with this slack (floating-point
// sums of the same ranks in another order).
const EPS = 1e-9;

/**
 * Spearman's rho and Kendall's tau-b of (x, y) with their permutation p-values. "greater" tests a
 * positive association (the pre-registered direction: a later collapse, a larger gain).
 */
export function rankTest(x: readonly number[], y: readonly number[], o: { alternative?: Alternative; seed?: number } = {}): RankTest {
  // Ten models take a third of a second: pages that show the same table again reuse the answer.
  const key = JSON.stringify([x, y, o.alternative ?? "greater", o.seed ?? 1]);
  const hit = memo.get(key);
  if (hit) return hit;
  const result = computeRankTest(x, y, o);
  if (memo.size >= 256) memo.delete(memo.keys().next().value!);
  memo.set(key, result);
  return result;
}

const memo = new Map<string, RankTest>();

function computeRankTest(x: readonly number[], y: readonly number[], o: { alternative?: Alternative; seed?: number }): RankTest {
  const alternative = o.alternative ?? "greater";
  const n = x.length;
  const rho = spearman(x, y), tau = kendallTauB(x, y);
  const base = { n, rho, tau, alternative };
  if (n < 3 || Number.isNaN(rho)) return { ...base, pRho: Number.NaN, pTau: Number.NaN, exact: true, permutations: 0 };
  const rx = averageRanks(x), ry = averageRanks(y);
  // rho's numerator over a pairing p is D = sum rx[i] * ry[p[i]] (the rest is fixed); tau-b's is
  // K = sum over pairs i < j of sx(i, j) * sign(y[p[i]] - y[p[j]]) (its denominator is fixed too).
  const sx = x.map((a) => x.map((b) => Math.sign(a - b)));
  const sy = y.map((a) => y.map((b) => Math.sign(a - b)));
  const dot = (p: number[]) => p.reduce((s, pi, i) => s + rx[i]! * ry[pi]!, 0);
  const pairs = (p: number[]) => {
    let s = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) s += sx[i]![j]! * sy[p[i]!]![p[j]!]!;
    return s;
  };
  const identity = Array.from({ length: n }, (_, i) => i);
  const d0 = dot(identity), k0 = pairs(identity);
  const meanDot = (n * (n + 1) ** 2) / 4; // E[D] under permutation: n * mean(rank)^2
  const extreme = (v: number, observed: number, centre: number) =>
    alternative === "greater" ? v >= observed - EPS : Math.abs(v - centre) >= Math.abs(observed - centre) - EPS;
  let hitsRho = 0, hitsTau = 0, count = 0;
  const tally = (d: number, k: number) => {
    count++;
    if (extreme(d, d0, meanDot)) hitsRho++;
    if (extreme(k, k0, 0)) hitsTau++;
  };
  const exact = n <= EXACT_LIMIT;
  if (exact) {
    // Heap's algorithm changes the pairing by one swap at a time: D and K follow in O(n) per swap.
    const p = [...identity];
    let d = d0, k = k0;
    tally(d, k);
    heapSwaps(n, (i, j) => {
      const a = p[i]!, b = p[j]!;
      d += (rx[i]! - rx[j]!) * (ry[b]! - ry[a]!);
      for (let m = 0; m < n; m++) {
        if (m === i || m === j) continue;
        const c = p[m]!;
        k += sx[i]![m]! * (sy[b]![c]! - sy[a]![c]!) + sx[j]![m]! * (sy[a]![c]! - sy[b]![c]!);
      }
      k += sx[i]![j]! * (sy[b]![a]! - sy[a]![b]!);
      p[i] = b;
      p[j] = a;
      tally(d, k);
    });
  } else {
    const rng = new Rng(o.seed ?? 1, "rank-permutation");
    tally(d0, k0);
    for (let i = 1; i < MONTE_CARLO_PERMUTATIONS; i++) {
      const p = rng.shuffle([...identity]);
      tally(dot(p), pairs(p));
    }
  }
  return { ...base, pRho: hitsRho / count, pTau: Number.isNaN(tau) ? Number.NaN : hitsTau / count, exact, permutations: count };
}

/** Heap's algorithm: calls swap(i, j) for each of the n! - 1 swaps that walk every permutation. */
export function heapSwaps(n: number, swap: (i: number, j: number) => void): void {
  const c = new Array<number>(n).fill(0);
  let i = 0;
  while (i < n) {
    if (c[i]! < i) {
      swap(i % 2 === 0 ? 0 : c[i]!, i);
      c[i]!++;
      i = 0;
    } else {
      c[i] = 0;
      i++;
    }
  }
}
