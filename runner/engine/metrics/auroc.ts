/**
 * Area under the ROC curve of a score as a detector of positives: the probability that a random
 * positive scores above a random negative, ties counting one half. Computed as the Mann-Whitney U
 * statistic with average ranks, O(n log n), so tens of thousands of samples cost nothing.
 */
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
  const order = scores.map((_, i) => i).sort((a, b) => (scores[a]! < scores[b]! ? -1 : scores[a]! > scores[b]! ? 1 : 0));
  // Sum of the positives' 1-based ranks, a run of equal scores sharing the mean of its ranks.
  let rankSum = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const meanRank = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) if (positives[order[t]!]) rankSum += meanRank;
    i = j + 1;
  }
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}
