import { describe, expect, it } from "vitest";
import { TASK_NAMES, getTask } from "./registry";
import { Rng } from "../util/rng";

describe("task registry", () => {
  it("builds every task and rejects unknown names and levels", () => {
    for (const name of TASK_NAMES) {
      const t = getTask(name);
      expect(t.name).toBe(name);
      const { train } = t.makeSplits({ seed: 0, trainSize: 32, valSize: 8 });
      const ex = t.solvedExample(train[0], new Rng(0));
      expect(t.isCorrect(train[0], t.extractAnswer(ex.response))).toBe(true);
    }
    expect(() => getTask("chess")).toThrow(/unknown task/);
    expect(() => getTask("arith", 99)).toThrow(/unknown difficulty/);
  });
});
