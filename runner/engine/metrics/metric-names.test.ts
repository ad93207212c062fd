import { describe, expect, it } from "vitest";
import { METRIC_DESCRIPTIONS, METRIC_NAMES, MCS_METRIC } from "./metric-names";

describe("metric names", () => {
  it("are exactly DESIGN.md's, each with a description", () => {
    expect([...METRIC_NAMES].sort()).toEqual(
      [
        "train/reward_accuracy", "train/label_accuracy", "train/majority_ratio", "train/ground_truth_reward",
        "train/proxy_reward", "train/pass_at_n", "actor/entropy", "actor/kl_ref", "actor/pg_loss", "actor/grad_norm",
        "actor/lr", "actor/clip_frac", "response/length_mean", "response/repetition", "response/clip_ratio",
        "val/accuracy", "val/accuracy_se", "val/greedy_accuracy", "val/greedy_accuracy_se", "val/maj_at_k", "val/maj_at_k_se",
        "val/pass_at_k", "val/pass_at_k_se", "val/prompts", "perf/step_seconds", "perf/tokens_per_second",
      ].sort(),
    );
    expect(Object.keys(METRIC_DESCRIPTIONS).sort()).toEqual([...METRIC_NAMES].sort());
    for (const n of METRIC_NAMES) expect(METRIC_DESCRIPTIONS[n].length).toBeGreaterThan(10);
    expect(MCS_METRIC).toBe("train/reward_accuracy");
  });
});
