/**
 * Per-step training metrics over groups of rollouts (DESIGN.md). Pure functions; imported by the
 * engine and by the dashboard, so nothing outside runner/engine may be imported here.
 */
import { majorityAnswer } from "../rewards/majority";
import { groupAdvantages } from "./advantages";

export interface AnsweredRollout {
  readonly answer: string | null;
  readonly correct: boolean;
}

/**
 * Advantages smaller than this in absolute value count as zero when comparing signs: a group with
 * equal rewards gives advantages of rounding-error size, which the update treats as no push.
 */
export const ZERO_ADVANTAGE = 1e-6;

function sign3(x: number): -1 | 0 | 1 {
  return Math.abs(x) < ZERO_ADVANTAGE ? 0 : x > 0 ? 1 : -1;
}

/**
 * train/reward_accuracy over a batch of consecutive groups.
 * - binary rewards: share of rollouts whose proxy reward equals the ground-truth reward;
 * - continuous rewards: share whose group-normalized proxy advantage has the same three-valued
 *   sign (+, 0, -) as the ground-truth advantage. Zero counts as its own sign: where the ground
 *   truth gives no signal (all rollouts of a group equally right) a proxy that still pushes a
 *   rollout up or down disagrees, and a proxy that gives no push where the truth does disagrees too.
 * NaN for an empty batch.
 */
export function rewardAccuracy(
  proxyRewards: ArrayLike<number>,
  groundTruthRewards: ArrayLike<number>,
  groupSize: number,
  binary: boolean,
): number {
  if (proxyRewards.length !== groundTruthRewards.length) {
    throw new Error(`reward arrays differ in length: ${proxyRewards.length} vs ${groundTruthRewards.length}`);
  }
  const n = proxyRewards.length;
  if (n === 0) return Number.NaN;
  let agree = 0;
  if (binary) {
    for (let i = 0; i < n; i++) if (proxyRewards[i] === groundTruthRewards[i]) agree++;
  } else {
    const a = groupAdvantages(proxyRewards, groupSize);
    const g = groupAdvantages(groundTruthRewards, groupSize);
    for (let i = 0; i < n; i++) if (sign3(a[i]) === sign3(g[i])) agree++;
  }
  return agree / n;
}

function meanOverGroups<T>(groups: readonly (readonly T[])[], f: (group: readonly T[]) => number): number {
  if (groups.length === 0) return Number.NaN;
  let s = 0;
  for (const g of groups) s += f(g);
  return s / groups.length;
}

/** train/label_accuracy: share of groups whose majority answer is correct (no answer: wrong). */
export function labelAccuracy(groups: readonly (readonly AnsweredRollout[])[]): number {
  return meanOverGroups(groups, (g) => {
    const maj = majorityAnswer(g.map((r) => r.answer));
    return maj !== null && g.some((r) => r.answer === maj.answer && r.correct) ? 1 : 0;
  });
}

/** train/majority_ratio: mean over groups of (majority count / N); 0 for a group without answers. */
export function majorityRatio(groups: readonly (readonly AnsweredRollout[])[]): number {
  return meanOverGroups(groups, (g) => {
    const maj = majorityAnswer(g.map((r) => r.answer));
    return maj === null || g.length === 0 ? 0 : maj.count / g.length;
  });
}

/** train/pass_at_n: share of groups with at least one correct rollout. */
export function passAtN(groups: readonly (readonly AnsweredRollout[])[]): number {
  return meanOverGroups(groups, (g) => (g.some((r) => r.answer !== null && r.correct) ? 1 : 0));
}

/** Mean of an array (NaN when empty). */
export function mean(xs: ArrayLike<number>): number {
  if (xs.length === 0) return Number.NaN;
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s / xs.length;
}
