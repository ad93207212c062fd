/**
 * GRPO group-normalized advantages: A_i = (r_i - mean_g) / (std_g + 1e-6) within each group g of
 * `groupSize` consecutive rollouts. std is the unbiased (N-1) standard deviation, as torch.std in
 * verl's compute_grpo_outcome_advantage and TRL. A group with equal rewards has all-zero advantages.
 */
export const ADVANTAGE_EPS = 1e-6;

export function groupAdvantages(rewards: ArrayLike<number>, groupSize: number): Float64Array {
  if (!Number.isInteger(groupSize) || groupSize < 2) throw new Error(`groupSize must be an integer >= 2, got ${groupSize}`);
  if (rewards.length % groupSize !== 0) {
    throw new Error(`${rewards.length} rewards do not split into groups of ${groupSize}`);
  }
  const out = new Float64Array(rewards.length);
  for (let start = 0; start < rewards.length; start += groupSize) {
    let mean = 0;
    for (let i = 0; i < groupSize; i++) mean += rewards[start + i];
    mean /= groupSize;
    let ss = 0;
    for (let i = 0; i < groupSize; i++) ss += (rewards[start + i] - mean) ** 2;
    const std = Math.sqrt(ss / (groupSize - 1));
    for (let i = 0; i < groupSize; i++) out[start + i] = (rewards[start + i] - mean) / (std + ADVANTAGE_EPS);
  }
  return out;
}
