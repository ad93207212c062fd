/**
 * Area under the ROC curve of a score as a detector of positives: the probability that a random
 * positive scores above a random negative, ties counting one half. Computed as the Mann-Whitney U
 * statistic with average ranks (the ranks Spearman uses), O(n log n), so tens of thousands of samples
 * cost nothing.
 */
import { averageRanks } from "../stats/rank";

export function auroc(scores: readonly number[], positives: readonly boolean[]): number {
  if (scores.length !== positives.length) {
    throw new Error(`auroc needs one label per score, got ${scores.length} scores and ${positives.length} labels`);
  }
  scores.forEach((s, i) => {
    if (Number.isNaN(s)) throw new Error(`auroc: score ${i} is NaN`);
  });
  const nPos = positives.filter(Boolean).length;
  const nNeg = scores.length - nPos;
  if (nPos === 0 || nNeg === 0) return Number.NaN;
  // Sum of the positives' 1-based ranks, a run of equal scores sharing the mean of its ranks.
  const ranks = averageRanks(scores);
  let rankSum = 0;
  positives.forEach((p, i) => {
    if (p) rankSum += ranks[i]!;
  });
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}
