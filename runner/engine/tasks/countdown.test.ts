import { describe, expect, it } from "vitest";
import { Rng } from "../util/rng";
import { CountdownTask, checkCountdown, evalExpr, parseExpr, printExpr, solveCountdown } from "./countdown";
import { encodeExample } from "./tokenizer";

const task = new CountdownTask();

describe("countdown expressions", () => {
  it("parses strictly with precedence", () => {
    expect(evalExpr(parseExpr("3+4*5")!)).toBe(23);
    expect(evalExpr(parseExpr("(3+4)*5")!)).toBe(35);
    expect(evalExpr(parseExpr("20-6-4")!)).toBe(10);
    expect(evalExpr(parseExpr("24/4/2")!)).toBe(3);
    for (const bad of ["", "3+", "(3+4", "3+4)", "-3+4", "03+4", "3 +4", "3++4", "()", "12345"]) {
      expect(parseExpr(bad)).toBeNull();
    }
  });

  it("rejects inexact division and division by zero", () => {
    expect(evalExpr(parseExpr("7/2")!)).toBeNull();
    expect(evalExpr(parseExpr("7/(3-3)")!)).toBeNull();
    expect(evalExpr(parseExpr("8/2")!)).toBe(4);
  });

  it("prints canonically with minimal parentheses", () => {
    expect(printExpr(parseExpr("((3))*(4+5)")!)).toBe("3*(4+5)");
    expect(printExpr(parseExpr("(3*4)+5")!)).toBe("3*4+5");
    expect(printExpr(parseExpr("10-(4-3)")!)).toBe("10-(4-3)");
    expect(printExpr(parseExpr("10+(4-3)")!)).toBe("10+4-3");
    expect(printExpr(parseExpr("24/(4/2)")!)).toBe("24/(4/2)");
    expect(printExpr(parseExpr("(10-4)-3")!)).toBe("10-4-3");
  });

  it("checks number usage as a multiset and the target", () => {
    expect(checkCountdown([3, 7, 25], 54, "(25-7)*3")).toBe(true);
    expect(checkCountdown([3, 7, 25], 54, "(25-7)*3+0")).toBe(false); // 0 not given
    expect(checkCountdown([3, 7, 25], 75, "25*3")).toBe(true); // subsets are fine
    expect(checkCountdown([3, 7, 25], 9, "3*3")).toBe(false); // 3 used twice
    expect(checkCountdown([3, 3, 25], 9, "3*3")).toBe(true);
    expect(checkCountdown([3, 7, 25], 53, "(25-7)*3")).toBe(false);
  });
});

describe("countdown task", () => {
  it("extracts canonical answers strictly", () => {
    expect(task.extractAnswer("25-7=18,18*3=54#(25-7)*3")).toBe("(25-7)*3");
    expect(task.extractAnswer("#((25-7))*3")).toBe("(25-7)*3");
    for (const bad of ["(25-7)*3", "#", "#(25-7", "25-7=18#", "#25-7)*3", "#3#3", "25-7=18,#3"]) {
      expect(task.extractAnswer(bad)).toBeNull();
    }
  });

  it("generates problems whose stored solution is correct, and solved examples that verify", () => {
    const rng = new Rng(1);
    const { train, val } = task.makeSplits({ seed: 11, trainSize: 3000, valSize: 200 });
    let maxLen = 0;
    for (const p of [...train, ...val]) {
      expect(task.isCorrect(p, p.solution)).toBe(true);
      const ex = task.solvedExample(p, rng);
      const ans = task.extractAnswer(ex.response);
      expect(task.isCorrect(p, ans)).toBe(true);
      expect(ex.corrupted).toBe(false);
      maxLen = Math.max(maxLen, encodeExample(ex.prompt, ex.response).tokens.length);
      expect(task.parsePrompt(p.prompt).target).toBe(p.target);
    }
    expect(maxLen).toBeLessThanOrEqual(task.recommendedContext);
    const val0 = new Set(val.map((p) => p.id));
    expect(train.some((p) => val0.has(p.id))).toBe(false);
  });

  it("drop_parens corrupts with the wrong rule only when it changes the meaning", () => {
    const p = task.parsePrompt("3,7,25>54:");
    const solvedWith = (solution: string) => ({ ...p, solution });
    const ex = task.solvedExample(solvedWith("(25-7)*3"), new Rng(0), { corruption: { kind: "drop_parens", rate: 1 } });
    expect(ex.response).toBe("25-7=18,18*3=54#25-7*3");
    expect(ex.corrupted).toBe(true);
    const q = task.parsePrompt("3,7,25>82:");
    const harmless = task.solvedExample({ ...q, solution: "25*3+7" }, new Rng(0), { corruption: { kind: "drop_parens", rate: 1 } });
    expect(harmless.corrupted).toBe(false);
  });

  it("verification examples have gold verdicts and a mix of both", () => {
    const rng = new Rng(2);
    const problems = task.makeSplits({ seed: 12, trainSize: 300, valSize: 0 }).train;
    let yes = 0;
    for (const p of problems) {
      const ex = task.verificationExample(p, rng);
      expect(ex.prompt).toBe(`VERIFY ${p.prompt}${ex.candidate}?`);
      expect(ex.response).toBe(checkCountdown(p.numbers, p.target, ex.candidate) ? "Y" : "N");
      if (ex.response === "Y") yes++;
      expect(encodeExample(ex.prompt, ex.response).tokens.length).toBeLessThanOrEqual(64);
    }
    expect(yes).toBeGreaterThan(100);
    expect(yes).toBeLessThan(200);
  });

  it("solver finds solutions or reports none", () => {
    const s = solveCountdown([3, 7, 25], 54);
    expect(s !== null && checkCountdown([3, 7, 25], 54, s)).toBe(true);
    expect(solveCountdown([1, 1], 7)).toBeNull();
    expect(() => task.parsePrompt("1,1>7:")).toThrow(/no solution/);
  });
});
