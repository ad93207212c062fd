/**
 * The metric keys of DESIGN.md, in one place: the engine writes them, the runner stores them, the
 * dashboard charts them and shows `description` as help text. Keys follow TTRL/verl where one exists.
 */
export const METRICS = {
  rewardAccuracy: "train/reward_accuracy",
  labelAccuracy: "train/label_accuracy",
  majorityRatio: "train/majority_ratio",
  groundTruthReward: "train/ground_truth_reward",
  proxyReward: "train/proxy_reward",
  passAtN: "train/pass_at_n",
  entropy: "actor/entropy",
  klRef: "actor/kl_ref",
  pgLoss: "actor/pg_loss",
  gradNorm: "actor/grad_norm",
  lr: "actor/lr",
  clipFrac: "actor/clip_frac",
  lengthMean: "response/length_mean",
  repetition: "response/repetition",
  valAccuracy: "val/accuracy",
  valMajAtK: "val/maj_at_k",
  valPassAtK: "val/pass_at_k",
  stepSeconds: "perf/step_seconds",
  tokensPerSecond: "perf/tokens_per_second",
} as const;

export type MetricName = (typeof METRICS)[keyof typeof METRICS];

export const METRIC_NAMES: readonly MetricName[] = Object.values(METRICS);

/** The metric MCS is computed from. */
export const MCS_METRIC: MetricName = METRICS.rewardAccuracy;

export const METRIC_DESCRIPTIONS: Readonly<Record<MetricName, string>> = {
  "train/reward_accuracy":
    "Share of rollouts whose reward agrees with the ground truth. Binary rewards (majority_vote, ground_truth): the " +
    "pseudo-reward equals the ground-truth reward. Continuous rewards: the group-normalized advantage has the same " +
    "sign (+, 0 or -) as the ground-truth advantage. MCS is the first step where this falls below 1%.",
  "train/label_accuracy": "Share of prompts whose majority answer (ties: first seen) is correct; no answer counts as wrong.",
  "train/majority_ratio": "Mean share of a group's rollouts that gave the majority answer (0 for groups with no answer).",
  "train/ground_truth_reward": "Mean ground-truth reward of the rollouts (their accuracy).",
  "train/proxy_reward": "Mean reward of the run's reward method, the quantity the policy optimizes.",
  "train/pass_at_n": "Share of prompts with at least one correct rollout among the N.",
  "actor/entropy": "Mean token entropy of the policy over response tokens.",
  "actor/kl_ref": "Mean KL to the reference (initial) policy over response tokens (k3 estimator).",
  "actor/pg_loss": "Clipped policy-gradient loss (token mean).",
  "actor/grad_norm": "Global gradient norm before clipping.",
  "actor/lr": "Learning rate of the update.",
  "actor/clip_frac": "Share of response tokens whose probability ratio was clipped.",
  "response/length_mean": "Mean response length in tokens.",
  "response/repetition": "Mean share of repeated 4-grams within a response (rises under repetition collapse).",
  "val/accuracy": "Accuracy on the held-out split.",
  "val/maj_at_k": "Held-out accuracy of the majority answer of k samples.",
  "val/pass_at_k": "Held-out pass@k (unbiased estimator).",
  "perf/step_seconds": "Wall-clock seconds of the training step.",
  "perf/tokens_per_second": "Sampled and trained tokens per second in the step.",
};
