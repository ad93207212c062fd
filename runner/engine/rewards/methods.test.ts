import { describe, expect, it } from "vitest";
import { majorityAnswer } from "./majority";
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
import { REWARD_METHODS, REWARD_METHOD_NAMES, getRewardMethod } from "./registry";
import type { RolloutInfo } from "./rollout";

function r(answer: string | null, extra: Partial<RolloutInfo> = {}): RolloutInfo {
  return { answer, logprobs: [], entropies: [], selfCertainties: [], correct: false, ...extra };
}
const group = (...answers: (string | null)[]) => answers.map((a) => r(a));

describe("majority", () => {
  it("counts non-null answers and breaks ties by first occurrence", () => {
    expect(majorityAnswer(["5", "6", "6", "5", null, null, null])).toEqual({ answer: "5", count: 2 });
    expect(majorityAnswer(["6", "5", "5", "6"])).toEqual({ answer: "6", count: 2 });
    expect(majorityAnswer([null, "7", "8", "8"])).toEqual({ answer: "8", count: 2 });
    expect(majorityAnswer([null, null])).toBeNull();
    expect(majorityAnswer([])).toBeNull();
  });
});

describe("ensemble rewards", () => {
  it("majority_vote: 1 for the majority answer only, nulls 0", () => {
    expect(majorityVote(group("3", "4", "3", null, "3"))).toEqual([1, 0, 1, 0, 1]);
  });
  it("majority_vote: ties go to the answer seen first", () => {
    expect(majorityVote(group("4", "3", "3", "4"))).toEqual([1, 0, 0, 1]);
    expect(majorityVote(group(null, "9", "8"))).toEqual([0, 1, 0]);
  });
  it("majority_vote: an all-null group gets all 0", () => {
    expect(majorityVote(group(null, null, null))).toEqual([0, 0, 0]);
    expect(majorityVote([])).toEqual([]);
  });
  it("cluster_frequency: cluster size / N including null rollouts in N", () => {
    expect(clusterFrequency(group("3", "4", "3", null))).toEqual([0.5, 0.25, 0.5, 0]);
    expect(clusterFrequency(group(null, null))).toEqual([0, 0]);
    expect(clusterFrequency(group("1", "1"))).toEqual([1, 1]);
  });
});

describe("certainty rewards", () => {
  const g = [
    r("1", { logprobs: [-1, -3], entropies: [0.5, 1.5], selfCertainties: [2, 4] }),
    r(null, { logprobs: [-0.5], entropies: [0.2], selfCertainties: [1] }),
    r("2", {}),
  ];
  it("self_certainty is the token mean of KL(U||p) (empty response: 0)", () => {
    expect(selfCertainty(g)).toEqual([3, 1, 0]);
  });
  it("token_entropy is minus the mean entropy", () => {
    expect(tokenEntropy(g)).toEqual([-1, -0.2, 0]);
  });
  it("trajectory_entropy is the mean log-prob", () => {
    expect(trajectoryEntropy(g)).toEqual([-2, -0.5, 0]);
  });
  it("probability is exp of the summed log-probs", () => {
    const p = probability(g);
    expect(p[0]).toBeCloseTo(Math.exp(-4), 12);
    expect(p[1]).toBeCloseTo(Math.exp(-0.5), 12);
    expect(p[2]).toBe(1);
  });
  it("accepts typed arrays", () => {
    const t = r("1", { logprobs: new Float32Array([-1, -1]), entropies: new Float32Array([1]), selfCertainties: new Float64Array([2, 3]) });
    expect(trajectoryEntropy([t])).toEqual([-1]);
    expect(selfCertainty([t])).toEqual([2.5]);
  });
});

describe("external and oracle rewards", () => {
  it("self_verification returns P(Y), 0 for null answers, and refuses a missing probability", () => {
    expect(selfVerification([r("1", { verifyProb: 0.8 }), r(null), r("2", { verifyProb: 0 })])).toEqual([0.8, 0, 0]);
    expect(() => selfVerification([r("1")])).toThrow(/verifyProb/);
    expect(() => selfVerification([r("1", { verifyProb: 1.5 })])).toThrow(/verifyProb/);
  });
  it("ground_truth is 1 for correct answers only", () => {
    expect(groundTruth([r("1", { correct: true }), r("2"), r(null, { correct: true })])).toEqual([1, 0, 0]);
    expect(groundTruth(group(null, null))).toEqual([0, 0]);
  });
});

describe("registry", () => {
  it("has the eight DESIGN.md methods with their kinds", () => {
    expect(Object.keys(REWARD_METHODS)).toEqual([...REWARD_METHOD_NAMES]);
    const kinds = Object.fromEntries(REWARD_METHOD_NAMES.map((n) => [n, REWARD_METHODS[n].kind]));
    expect(kinds).toEqual({
      majority_vote: "ensemble",
      cluster_frequency: "ensemble",
      self_certainty: "certainty",
      token_entropy: "certainty",
      trajectory_entropy: "certainty",
      probability: "certainty",
      self_verification: "external",
      ground_truth: "oracle",
    });
    for (const n of REWARD_METHOD_NAMES) expect(REWARD_METHODS[n].name).toBe(n);
    expect(getRewardMethod("majority_vote").reward(group("1", "1", "2"))).toEqual([1, 1, 0]);
    expect(() => getRewardMethod("majority")).toThrow(/unknown reward method/);
  });
});
