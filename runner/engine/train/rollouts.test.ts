// Rollouts as training and evaluation read them: a response cut off without EOS has no answer,
// even when its text would parse as one.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readModelDir } from "../io/manifest";
import { createPolicySession, type Policy } from "../model/policy";
import type { Params } from "../model/config";
import { getTask } from "../tasks/registry";
import { EOS, decode } from "../tasks/tokenizer";
import { Rng } from "../util/rng";
import { DATA_SEED } from "./data";
import { sampleGroups } from "./rollouts";
import { tinyModel, type TinyModel } from "./tiny-model";

let tiny: TinyModel;
let policy: Policy;
let params: Params;
const task = getTask("arith", 2);

beforeAll(async () => {
  tiny = await tinyModel("rollouts", { steps: 400 });
  const m = readModelDir(tiny.model);
  params = m.params;
  policy = await createPolicySession(m.config, { threads: 1 });
});
afterAll(async () => {
  await policy?.release();
  tiny?.remove();
});

describe("sampleGroups", () => {
  it("gives a response cut off at maxNewTokens no answer, even one whose text parses", async () => {
    const problems = task.makeSplits({ seed: DATA_SEED, trainSize: 64, valSize: 0 }).train;
    let parsedButCut = 0, cut = 0;
    // Cut-off points near the length of a typical solution end some responses right after a digit of the answer.
    for (let maxNewTokens = 8; maxNewTokens <= 16; maxNewTokens++) {
      const rollouts = await sampleGroups(policy, params, task, problems, { groupSize: 4, temperature: 1, topP: 1, maxNewTokens, rng: new Rng(maxNewTokens, "cut") });
      for (const r of rollouts) {
        expect(r.truncated).toBe(r.response[r.response.length - 1] !== EOS);
        expect(r.scores.logprob.length).toBe(r.response.length);
        if (!r.truncated) {
          expect(r.answer).toBe(task.extractAnswer(decode(r.response)));
          continue;
        }
        cut++;
        expect(r.answer).toBeNull();
        expect(r.correct).toBe(false);
        if (task.extractAnswer(decode(r.response)) !== null) parsedButCut++;
      }
    }
    expect(cut).toBeGreaterThan(0);
    expect(parsedButCut, "no cut-off response parsed as an answer: the rule was not exercised").toBeGreaterThan(0);
  });
});
