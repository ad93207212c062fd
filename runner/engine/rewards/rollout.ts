/** What a reward method sees of one rollout of a group (N rollouts of one prompt). */
export interface RolloutInfo {
  /** Extracted answer, null when the response is malformed (see the task's extractAnswer). */
  readonly answer: string | null;
  /** log p(y_t) of each response token (EOS included when emitted). */
  readonly logprobs: ArrayLike<number>;
  /** H(p_t) at each response token. */
  readonly entropies: ArrayLike<number>;
  /** KL(Uniform || p_t) at each response token. */
  readonly selfCertainties: ArrayLike<number>;
  /** P("Y") of the policy on the verification prompt of this answer (self_verification only). */
  readonly verifyProb?: number;
  /** Ground-truth correctness of the answer (ground_truth only; false when answer is null). */
  readonly correct: boolean;
}

export type RewardFn = (group: readonly RolloutInfo[]) => number[];

/** Mean of a per-token series; an empty response has mean 0 (it carries no signal). */
export function tokenMean(xs: ArrayLike<number>): number {
  if (xs.length === 0) return 0;
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s / xs.length;
}

export function tokenSum(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s;
}
