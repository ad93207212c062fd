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
  clipRatio: "response/clip_ratio",
  valAccuracy: "val/accuracy",
  valAccuracySe: "val/accuracy_se",
  valGreedyAccuracy: "val/greedy_accuracy",
  valGreedyAccuracySe: "val/greedy_accuracy_se",
  valMajAtK: "val/maj_at_k",
  valMajAtKSe: "val/maj_at_k_se",
  valPassAtK: "val/pass_at_k",
  valPassAtKSe: "val/pass_at_k_se",
  valPrompts: "val/prompts",
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
  "actor/entropy": "Mean token entropy of the policy over response tokens, at the sampling temperature.",
  "actor/kl_ref":
    "Mean KL to the reference (initial) policy over response tokens (k3 estimator). With no KL loss (kl_coef 0) the " +
    "reference pass exists only for this figure, so it is computed every 10 steps (and at the last), not every step.",
  "actor/pg_loss": "Clipped policy-gradient loss (token mean).",
  "actor/grad_norm": "Global gradient norm before clipping.",
  "actor/lr": "Learning rate of the update.",
  "actor/clip_frac": "Share of response tokens whose probability ratio was clipped.",
  "response/length_mean": "Mean response length in tokens.",
  "response/repetition": "Mean share of repeated 4-grams within a response (rises under repetition collapse).",
  "response/clip_ratio": "Share of responses cut off at the token limit without an end token; they have no answer.",
  "val/accuracy":
    "Held-out accuracy of sampled responses, averaged over k samples per prompt (avg@k at the evaluation temperature " +
    "and top-p: the paper's protocol). The primary validation figure: it measures the sampling distribution GRPO changes.",
  "val/accuracy_se": "Standard error of val/accuracy over the held-out prompts.",
  "val/greedy_accuracy": "Held-out accuracy of the greedy (temperature 0) response.",
  "val/greedy_accuracy_se": "Standard error of val/greedy_accuracy over the held-out prompts.",
  "val/maj_at_k": "Held-out accuracy of the majority answer of k samples.",
  "val/maj_at_k_se": "Standard error of val/maj_at_k over the held-out prompts.",
  "val/pass_at_k": "Held-out pass@k (unbiased estimator).",
  "val/pass_at_k_se": "Standard error of val/pass_at_k over the held-out prompts.",
  "val/prompts":
    "Held-out prompts behind this validation: the light validation along the way uses a subset, the full evaluation " +
    "(step 0 and the last three validations, the figures GT gain uses) all of them.",
  "perf/step_seconds": "Wall-clock seconds of the training step.",
  "perf/tokens_per_second": "Sampled and trained tokens per second in the step.",
};
