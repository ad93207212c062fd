import { describe, expect, it } from "vitest";
import { Rng } from "../util/rng";
import { ArithTask } from "./arith";
import { CountdownTask } from "./countdown";
import { mixedBatch, pretrainBatch, pretrainExample } from "./pretrain";
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

  it("draws a mixed batch's examples from each source by its share", () => {
    // Two sources whose examples cannot be confused: arithmetic and countdown problems.
    const [arith, countdown] = [new ArithTask(3), new CountdownTask()] as Task<Problem>[];
    const pool = (t: Task<Problem>) => t.makeSplits({ seed: 1, trainSize: 512, valSize: 0 }).train;
    const [pa, pc] = [pool(arith!), pool(countdown!)];
    const fromCountdown = new Set(pc.map((q) => q.prompt));
    const batch = (share: number) =>
      mixedBatch([{ task: arith!, pool: pa, share: 1 - share }, { task: countdown!, pool: pc, share }], new Rng(3), 4000, { verificationShare: 0 });
    const shareOf = (b: ReturnType<typeof batch>) => b.examples.filter((e) => fromCountdown.has(e.prompt)).length / b.examples.length;
    expect(shareOf(batch(0))).toBe(0);
    expect(shareOf(batch(0.08))).toBeGreaterThan(0.06);
    expect(shareOf(batch(0.08))).toBeLessThan(0.1);
    expect(shareOf(batch(1))).toBe(1);
    expect(batch(0.08).tokens).toEqual(batch(0.08).tokens);
    expect(() => mixedBatch([{ task: arith!, pool: pa, share: 0.5 }], new Rng(1), 1, { verificationShare: 0 })).toThrow(/sum to 1/);
  });
});
