// How reliable a per-model measure is: how well it ranks the models the same way when measured
// again. Two estimates, for two kinds of measure:
// - split-seed, for figures that come from training runs (MCS, GT gain): the Spearman correlation
//   across models between the figures of two different seeds, averaged over seed pairs, stepped up
//   to the mean of all k seeds with Spearman-Brown (k r / (1 + (k - 1) r));
// - from standard errors, for a figure measured once with a known error (a static evaluation):
//   1 - mean(se^2) / var(figures), the classical share of observed variance that is not noise.
import { spearman } from "./rank";
import { mean, sampleSd } from "./summary";

export interface Reliability {
  /** The reliability of the figure as reported (all seeds, or the one measurement), in [0, 1]. */
  value: number;
  /** One seed's reliability (split-seed only). */
  single?: number;
  method: "split-seed" | "standard-error";
  /** Seeds behind the split-seed estimate, or models behind the standard-error one. */
  n: number;
}

/**
 * `bySeed[s][m]`: seed s's figure for model m (NaN where missing; a pair uses the models both seeds
 * have). NaN when no pair of seeds correlates over at least 3 models.
 */
export function splitSeedReliability(bySeed: ReadonlyArray<readonly number[]>): Reliability {
  const rs: number[] = [];
  for (let a = 0; a < bySeed.length; a++) {
    for (let b = a + 1; b < bySeed.length; b++) {
      const pairs = bySeed[a]!.map((x, m) => [x, bySeed[b]![m]!] as const).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
      if (pairs.length < 3) continue;
      const r = spearman(pairs.map((p) => p[0]), pairs.map((p) => p[1]));
      if (!Number.isNaN(r)) rs.push(r);
    }
  }
  const k = bySeed.length;
  if (rs.length === 0) return { value: Number.NaN, single: Number.NaN, method: "split-seed", n: k };
  const r1 = mean(rs);
  // A seed pair that ranks the models against each other estimates no reliability at all: 0, not a negative share.
  return { value: r1 <= 0 ? 0 : Math.min(1, (k * r1) / (1 + (k - 1) * r1)), single: r1, method: "split-seed", n: k };
}

/** From figures and their standard errors; clamped to [0, 1]; NaN below 3 figures. */
export function standardErrorReliability(values: readonly number[], ses: readonly number[]): Reliability {
  const n = values.length;
  const v = sampleSd(values) ** 2;
  if (n < 3 || !(v > 0)) return { value: Number.NaN, method: "standard-error", n };
  const noise = mean(ses.map((s) => s * s));
  return { value: Math.min(1, Math.max(0, 1 - noise / v)), method: "standard-error", n };
}
