/**
 * The eight reward methods (DESIGN.md), each a pure function of one group of rollouts.
 * Null answers never get an ensemble, verification or ground-truth reward (they get 0).
 * Certainty rewards look at the tokens only, whatever the answer.
 */
import { answerCounts, majorityAnswer } from "./majority";
import { type RewardFn, type RolloutInfo, tokenMean, tokenSum } from "./rollout";

/** TTRL: 1 if the answer equals the group's majority answer (ties: first occurrence), else 0. */
export const majorityVote: RewardFn = (group) => {
  const maj = majorityAnswer(group.map((r) => r.answer));
  return group.map((r) => (maj !== null && r.answer === maj.answer ? 1 : 0));
};

/** EMPO: size of the rollout's answer cluster / N (N counts null rollouts too). */
export const clusterFrequency: RewardFn = (group) => {
  const counts = answerCounts(group.map((r) => r.answer));
  return group.map((r) => (r.answer === null ? 0 : (counts.get(r.answer) ?? 0) / group.length));
};

/** Intuitor/RLIF: mean over response tokens of KL(U || p_t). */
export const selfCertainty: RewardFn = (group) => group.map((r) => tokenMean(r.selfCertainties));

/** EM-RL/RENT: minus the mean over response tokens of H(p_t). */
export const tokenEntropy: RewardFn = (group) => group.map((r) => 0 - tokenMean(r.entropies)); // 0 - x: no -0 for empty responses

/** EM-RL: mean over response tokens of log p(y_t). */
export const trajectoryEntropy: RewardFn = (group) => group.map((r) => tokenMean(r.logprobs));

/** RLSC: product of p(y_t) = exp(sum of log-probs). */
export const probability: RewardFn = (group) => group.map((r) => Math.exp(tokenSum(r.logprobs)));

/** The policy's own P("Y") on the verification prompt; 0 for a null answer. */
export const selfVerification: RewardFn = (group) =>
  group.map((r: RolloutInfo, i) => {
    if (r.answer === null) return 0;
    const p = r.verifyProb;
    if (p === undefined || !(p >= 0 && p <= 1)) {
      throw new Error(`self_verification: rollout ${i} has answer ${r.answer} but verifyProb ${p}`);
    }
    return p;
  });

/** Supervised RLVR baseline: 1 if the answer is correct. */
export const groundTruth: RewardFn = (group) => group.map((r) => (r.answer !== null && r.correct ? 1 : 0));
