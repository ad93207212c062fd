import { describe, expect, it } from "vitest";
import { Rng } from "../util/rng";
import { ARITH_LEVELS, ArithTask, type ArithOp, arithSteps } from "./arith";
import { encodeExample } from "./tokenizer";

const task = new ArithTask();

describe("arith scratchpad", () => {
  it("follows precedence: the README's example 3+4*2-5 = 6", () => {
    const p = task.parsePrompt("3+4*2-5=");
    expect(p.answer).toBe(6);
    expect(task.solvedExample(p, new Rng(0)).response).toBe("4*2=8,3+8=11,11-5=6#6");
  });

  it("handles negatives and chained products", () => {
    expect(arithSteps([0, 9, 9, 9], ["-", "*", "-"])).toEqual({ steps: ["9*9=81", "0-81=-81", "-81-9=-90"], value: -90 });
    expect(arithSteps([2, 3, 4], ["*", "*"]).steps).toEqual(["2*3=6", "6*4=24"]);
  });

  it("applies the wrong rules consistently", () => {
    // carry-less: 58+67 -> 15 (5+6=11 -> 1, 8+7=15 -> 5)
    expect(arithSteps([58, 67], ["+"], "carry_error")).toEqual({ steps: ["58+67=15"], value: 15 });
    expect(arithSteps([3, 4, 2], ["+", "*"], "left_to_right")).toEqual({ steps: ["3+4=7", "7*2=14"], value: 14 });
  });
});

describe("arith answers", () => {
  it("extracts strictly", () => {
    expect(task.extractAnswer("4*2=8,3+8=11,11-5=6#6")).toBe("6");
    expect(task.extractAnswer("#-12")).toBe("-12");
    expect(task.extractAnswer("3--5=8#8")).toBe("8");
    for (const bad of ["", "6", "#", "#06", "#-0", "#6#6", "4*2=8,#8", "4*2=8#8 ", "4*2=8,,3+8=11#11", "4*2#8", "#1234567890123"]) {
      expect(task.extractAnswer(bad)).toBeNull();
    }
  });

  it("checks correctness against the computed answer only", () => {
    const p = task.parsePrompt("3+4*2-5=");
    expect(task.isCorrect(p, "6")).toBe(true);
    expect(task.isCorrect(p, "7")).toBe(false);
    expect(task.isCorrect(p, null)).toBe(false);
    expect(task.referenceAnswer(p)).toBe("6");
    expect(() => task.parsePrompt("3+4*2-5")).toThrow(/malformed/);
    expect(() => task.parsePrompt("03+4=")).toThrow(/malformed/);
  });

  it("verification prompts carry the gold verdict", () => {
    const p = task.parsePrompt("3*5+7=");
    expect(task.verificationPrompt(p, "22")).toBe("VERIFY 3*5+7=22?");
    expect(task.verificationVerdict(p, "22")).toBe(true);
    expect(task.verificationVerdict(p, "36")).toBe(false);
    const rng = new Rng(4);
    let yes = 0;
    for (let i = 0; i < 400; i++) {
      const ex = task.verificationExample(p, rng);
      expect(ex.response).toBe(ex.candidate === "22" ? "Y" : "N");
      if (ex.response === "Y") yes++;
    }
    expect(yes).toBeGreaterThan(150);
    expect(yes).toBeLessThan(250);
  });
});

describe("arith data", () => {
  it("makes deterministic, disjoint, prefix-stable splits", () => {
    const a = task.makeSplits({ seed: 1, trainSize: 64, valSize: 32 });
    const b = task.makeSplits({ seed: 1, trainSize: 512, valSize: 32 });
    expect(a.val.map((p) => p.id)).toEqual(b.val.map((p) => p.id));
    expect(b.train.slice(0, 64).map((p) => p.id)).toEqual(a.train.map((p) => p.id));
    const val = new Set(b.val.map((p) => p.id));
    expect(b.train.some((p) => val.has(p.id))).toBe(false);
    expect(new Set(b.train.map((p) => p.id)).size).toBe(512);
    const c = task.makeSplits({ seed: 2, trainSize: 64, valSize: 32 });
    expect(c.train.map((p) => p.id)).not.toEqual(a.train.map((p) => p.id));
    expect(() => task.makeSplits({ seed: 1, trainSize: 0, valSize: 1 })).toThrow(/trainSize/);
  });

  it("supports 16384 training prompts at the default level and errors on too-small spaces", () => {
    const s = task.makeSplits({ seed: 3, trainSize: 16384, valSize: 512 });
    expect(s.train.length).toBe(16384);
    expect(() => new ArithTask(1).makeSplits({ seed: 0, trainSize: 1000, valSize: 0 })).toThrow(/too small/);
  });

  it("corrupts the requested share, each corrupted answer wrong", () => {
    const rng = new Rng(5);
    const problems = task.makeSplits({ seed: 5, trainSize: 2000, valSize: 0 }).train;
    let corrupted = 0;
    for (const p of problems) {
      const ex = task.solvedExample(p, rng, { corruption: { kind: "left_to_right", rate: 0.5 } });
      const ans = task.extractAnswer(ex.response);
      expect(ans).not.toBeNull();
      expect(task.isCorrect(p, ans)).toBe(!ex.corrupted);
      if (ex.corrupted) corrupted++;
    }
    // Left-to-right differs from precedence for a good share but not all problems.
    expect(corrupted).toBeGreaterThan(300);
    expect(corrupted).toBeLessThan(1000);
    const clean = problems.map((p) => task.solvedExample(p, rng, { corruption: { kind: "carry_error", rate: 0 } }));
    expect(clean.every((e) => !e.corrupted)).toBe(true);
    expect(() => task.solvedExample(problems[0], rng, { corruption: { kind: "nope", rate: 1 } })).toThrow(/unknown corruption/);
  });

  it("every default-level problem's solution and verification fit the 64-token context (exhaustive)", () => {
    const level = ARITH_LEVELS[3];
    const ops: ArithOp[] = ["+", "-", "*"];
    let maxLen = 0;
    for (let code = 0; code < 10 ** 4; code++) {
      const operands = [code % 10, Math.floor(code / 10) % 10, Math.floor(code / 100) % 10, Math.floor(code / 1000)];
      for (let oc = 0; oc < 27; oc++) {
        const o = [ops[oc % 3], ops[Math.floor(oc / 3) % 3], ops[Math.floor(oc / 9)]];
        const { steps, value } = arithSteps(operands, o);
        const promptLen = 2 * operands.length; // digits + ops + "="
        const responseLen = steps.join(",").length + 1 + String(value).length;
        maxLen = Math.max(maxLen, 1 + promptLen + responseLen + 1);
      }
    }
    expect(maxLen).toBeLessThanOrEqual(level.recommendedContext);
    const p = task.parsePrompt("9*9*9*9=");
    const ex = task.solvedExample(p, new Rng(0));
    expect(encodeExample(ex.prompt, ex.response).tokens.length).toBeLessThanOrEqual(64);
    expect(encodeExample(task.verificationPrompt(p, "-6561"), "Y").tokens.length).toBeLessThanOrEqual(64);
  });

  it("level 4 solutions fit its recommended context", () => {
    const t4 = new ArithTask(4);
    const rng = new Rng(9);
    const worst = t4.parsePrompt("20*20*20*20=");
    for (const p of [worst, ...t4.makeSplits({ seed: 9, trainSize: 2000, valSize: 0 }).train]) {
      const ex = t4.solvedExample(p, rng);
      expect(encodeExample(ex.prompt, ex.response).tokens.length).toBeLessThanOrEqual(t4.recommendedContext);
    }
  });
});
