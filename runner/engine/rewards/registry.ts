import {
  clusterFrequency,
  groundTruth,
  majorityVote,
  probability,
  selfCertainty,
  selfVerification,
  tokenEntropy,
  trajectoryEntropy,
} from "./methods";
import type { RewardFn } from "./rollout";

export const REWARD_METHOD_NAMES = [
  "majority_vote",
  "cluster_frequency",
  "self_certainty",
  "token_entropy",
  "trajectory_entropy",
  "probability",
  "self_verification",
  "ground_truth",
] as const;
export type RewardMethodName = (typeof REWARD_METHOD_NAMES)[number];

export type RewardKind = "ensemble" | "certainty" | "external" | "oracle";

export interface RewardMethod {
  readonly name: RewardMethodName;
  readonly kind: RewardKind;
  /** Rewards are 0/1 (reward accuracy compares values) rather than continuous (compares advantage signs). */
  readonly binary: boolean;
  /** The loop must supply verifyProb for every rollout with an answer. */
  readonly needsVerification: boolean;
  readonly description: string;
  readonly reward: RewardFn;
}

export const REWARD_METHODS: Readonly<Record<RewardMethodName, RewardMethod>> = {
  majority_vote: {
    name: "majority_vote",
    kind: "ensemble",
    binary: true,
    needsVerification: false,
    description: "TTRL: 1 if the answer equals the group's most common answer, else 0.",
    reward: majorityVote,
  },
  cluster_frequency: {
    name: "cluster_frequency",
    kind: "ensemble",
    binary: false,
    needsVerification: false,
    description: "EMPO: share of the group's rollouts that gave the same answer.",
    reward: clusterFrequency,
  },
  self_certainty: {
    name: "self_certainty",
    kind: "certainty",
    binary: false,
    needsVerification: false,
    description: "Intuitor/RLIF: mean over response tokens of KL(uniform || p_t).",
    reward: selfCertainty,
  },
  token_entropy: {
    name: "token_entropy",
    kind: "certainty",
    binary: false,
    needsVerification: false,
    description: "EM-RL/RENT: minus the mean token entropy of the response.",
    reward: tokenEntropy,
  },
  trajectory_entropy: {
    name: "trajectory_entropy",
    kind: "certainty",
    binary: false,
    needsVerification: false,
    description: "EM-RL: mean log-probability of the response tokens.",
    reward: trajectoryEntropy,
  },
  probability: {
    name: "probability",
    kind: "certainty",
    binary: false,
    needsVerification: false,
    description: "RLSC: probability of the whole response (product of token probabilities).",
    reward: probability,
  },
  self_verification: {
    name: "self_verification",
    kind: "external",
    binary: false,
    needsVerification: true,
    description: "The policy's own probability of 'Y' when asked to verify its answer by computation.",
    reward: selfVerification,
  },
  ground_truth: {
    name: "ground_truth",
    kind: "oracle",
    binary: true,
    needsVerification: false,
    description: "Supervised RLVR baseline: 1 if the answer is correct (countdown checks by computation).",
    reward: groundTruth,
  },
};

export function isRewardMethodName(name: string): name is RewardMethodName {
  return (REWARD_METHOD_NAMES as readonly string[]).includes(name);
}

export function getRewardMethod(name: string): RewardMethod {
  if (!isRewardMethodName(name)) {
    throw new Error(`unknown reward method ${JSON.stringify(name)} (methods: ${REWARD_METHOD_NAMES.join(", ")})`);
  }
  return REWARD_METHODS[name];
}
