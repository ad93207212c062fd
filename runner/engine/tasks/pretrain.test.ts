import { describe, expect, it } from "vitest";
import { Rng } from "../util/rng";
import { ArithTask } from "./arith";
import { CountdownTask } from "./countdown";
import { pretrainBatch, pretrainExample } from "./pretrain";
import type { Problem, Task } from "./task";
import { BOS, EOS, decode } from "./tokenizer";

describe("pretraining data", () => {
  it("masks BOS and prompt, trains response and EOS", () => {
    const task = new ArithTask();
    const p = task.parsePrompt("3+4*2-5=");
    const ex = pretrainExample(task, p, new Rng(0), { verificationShare: 0 });
    expect(ex.kind).toBe("solve");
    expect(ex.tokens[0]).toBe(BOS);
    expect(ex.tokens[ex.tokens.length - 1]).toBe(EOS);
    const start = 1 + p.prompt.length;
    expect(ex.lossMask.slice(0, start).every((m) => m === 0)).toBe(true);
    expect(ex.lossMask.slice(start).every((m) => m === 1)).toBe(true);
    expect(decode(ex.tokens.slice(start))).toBe("4*2=8,3+8=11,11-5=6#6");
  });

  it("mixes verification and corrupted examples at the requested shares, deterministically", () => {
    for (const task of [new ArithTask(), new CountdownTask()] as Task<Problem>[]) {
      const problems = task.makeSplits({ seed: 1, trainSize: 256, valSize: 0 }).train;
      const kind = task.corruptionKinds[0];
      const mix = { verificationShare: 0.25, corruption: { kind, rate: 1 } };
      const a = pretrainBatch(task, problems, new Rng(7), 2000, mix);
      const b = pretrainBatch(task, problems, new Rng(7), 2000, mix);
      expect(b.tokens).toEqual(a.tokens);
      const verify = a.examples.filter((e) => e.kind === "verify");
      expect(verify.length).toBeGreaterThan(400);
      expect(verify.length).toBeLessThan(600);
      expect(verify.every((e) => e.prompt.startsWith("VERIFY ") && (e.response === "Y" || e.response === "N"))).toBe(true);
      expect(a.examples.filter((e) => e.corrupted).length).toBeGreaterThan(200);
      expect(a.examples.some((e) => e.kind === "solve" && !e.corrupted)).toBe(true);
    }
  });
});
