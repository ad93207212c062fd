/**
 * The majority answer of a group, shared by the ensemble rewards and the label/majority metrics.
 *
 * Tie-breaking: among answers with the highest count, the one that occurs first in the group wins
 * (the order of Python's Counter.most_common, which TTRL uses). Rollout order is fixed by the
 * run's seed, so this is deterministic. Null answers are never counted; a group without any
 * answer has no majority.
 */
export interface Majority {
  readonly answer: string;
  readonly count: number;
}

export function answerCounts(answers: readonly (string | null)[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const a of answers) if (a !== null) counts.set(a, (counts.get(a) ?? 0) + 1);
  return counts;
}

export function majorityAnswer(answers: readonly (string | null)[]): Majority | null {
  let best: Majority | null = null;
  // Map iteration follows first insertion, so a strict ">" keeps the earliest answer on ties.
  for (const [answer, count] of answerCounts(answers)) {
    if (best === null || count > best.count) best = { answer, count };
  }
  return best;
}
