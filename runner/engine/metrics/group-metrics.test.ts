import { describe, expect, it } from "vitest";
import { majorityVote, groundTruth } from "../rewards/methods";
import type { RolloutInfo } from "../rewards/rollout";
import { labelAccuracy, majorityRatio, passAtN, rewardAccuracy } from "./group-metrics";

const ro = (answer: string | null, correct: boolean) => ({ answer, correct });

describe("rewardAccuracy", () => {
  it("binary: share of rollouts whose reward equals the ground-truth reward", () => {
    // Majority answer "5" is wrong, the correct "6" is in the minority.
    const g: RolloutInfo[] = [ro("5", false), ro("5", false), ro("6", true), ro(null, false)].map((r) => ({
      ...r,
      logprobs: [],
      entropies: [],
      selfCertainties: [],
    }));
    const mv = majorityVote(g); // [1,1,0,0]
    const gt = groundTruth(g); // [0,0,1,0]
    expect(rewardAccuracy(mv, gt, 4, true)).toBe(0.25);
    expect(rewardAccuracy(gt, gt, 4, true)).toBe(1);
  });

  it("continuous: advantage signs, zero counting as its own sign", () => {
    // group 1: proxy ranks like truth -> all agree; group 2: truth constant, proxy varies -> disagree
    // except the rollout whose proxy advantage is 0.
    const proxy = [0.9, 0.1, 0.2, 0.8, 0.3, 0.5, 0.7];
    const truth = [1, 0, 0, 1, 0, 0, 0];
    expect(rewardAccuracy(proxy.slice(0, 4), truth.slice(0, 4), 4, false)).toBe(1);
    const p2 = [0.9, 0.1, 0.2, 0.8, 0.3, 0.5, 0.7, 0.5];
    const t2 = [1, 0, 0, 1, 0, 0, 0, 0];
    // group 2 proxy [0.3,0.5,0.7,0.5]: mean 0.5 -> signs [-,0,+,0]; truth signs all 0 -> 2 of 4 agree.
    expect(rewardAccuracy(p2, t2, 4, false)).toBe(6 / 8);
    // Opposite ranking disagrees everywhere.
    expect(rewardAccuracy([0.1, 0.9], [1, 0], 2, false)).toBe(0);
  });

  it("treats rounding-size advantages as zero and empty batches as NaN", () => {
    expect(rewardAccuracy([0.1 + 0.2, 0.3], [1, 1], 2, false)).toBe(1);
    expect(rewardAccuracy([], [], 4, true)).toBeNaN();
    expect(() => rewardAccuracy([1], [1, 0], 2, true)).toThrow(/differ/);
  });
});

describe("group metrics", () => {
  const groups = [
    [ro("5", false), ro("5", false), ro("6", true), ro(null, false)], // majority wrong, pass
    [ro("7", true), ro("8", false), ro("8", false), ro("7", true)], // tie -> "7" first -> right
    [ro(null, false), ro(null, false), ro(null, false), ro(null, false)], // no answer
  ];
  it("label accuracy uses the first-seen tie rule and counts empty groups wrong", () => {
    expect(labelAccuracy(groups)).toBeCloseTo(1 / 3, 12);
    expect(labelAccuracy([])).toBeNaN();
  });
  it("majority ratio", () => {
    expect(majorityRatio(groups)).toBeCloseTo((0.5 + 0.5 + 0) / 3, 12);
  });
  it("pass@N", () => {
    expect(passAtN(groups)).toBeCloseTo(2 / 3, 12);
  });
});
