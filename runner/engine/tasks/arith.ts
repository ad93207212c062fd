/**
 * Multi-step integer arithmetic with operator precedence.
 *
 * Prompt: the expression and `=`, e.g. `3+4*2-5=`. Operands are non-negative integers written
 * without leading zeros; operators are + - * (no division, so every answer is an integer).
 * Response: one scratchpad step per operator, in the order a person evaluates (all `*` left to
 * right, then `+`/`-` left to right), steps separated by `,`, then `#` and the answer:
 * `4*2=8,3+8=11,11-5=6#6`.
 *
 * Answer grammar (strict, see extractAnswer): the whole response must be
 *   response := [step ("," step)*] "#" int
 *   step     := int op int "=" int          op := "+" | "-" | "*" | "/"
 *   int      := "0" | ["-"] [1-9][0-9]*     (at most 12 characters for the answer)
 * The scratchpad's arithmetic is not checked (only the answer counts), but its form is.
 */
import { Rng } from "../util/rng";
import {
  type Corruption,
  INTEGER_PATTERN,
  type Problem,
  type SolvedExample,
  type Splits,
  type SplitOptions,
  type Task,
  VERIFY_NO,
  VERIFY_YES,
  makeSplitsFrom,
} from "./task";

export type ArithOp = "+" | "-" | "*";

export interface ArithProblem extends Problem {
  readonly operands: readonly number[];
  readonly ops: readonly ArithOp[];
  readonly answer: number;
}

export interface ArithLevel {
  readonly operands: number;
  readonly maxOperand: number;
  readonly ops: readonly ArithOp[];
  /** Fits every reference solution (checked by the tests: exhaustively for the default level). */
  readonly recommendedContext: number;
}

/** Levels 1-2 have too few distinct problems for the largest train sizes (1: ~200, 2: ~8.5k); 3+ hold 16384. */
export const ARITH_LEVELS: Readonly<Record<number, ArithLevel>> = {
  1: { operands: 2, maxOperand: 9, ops: ["+", "-"], recommendedContext: 64 },
  2: { operands: 3, maxOperand: 9, ops: ["+", "-", "*"], recommendedContext: 64 },
  3: { operands: 4, maxOperand: 9, ops: ["+", "-", "*"], recommendedContext: 64 },
  4: { operands: 4, maxOperand: 20, ops: ["+", "-", "*"], recommendedContext: 64 },
  5: { operands: 5, maxOperand: 20, ops: ["+", "-", "*"], recommendedContext: 96 },
};
export const ARITH_DEFAULT_LEVEL = 3;

/**
 * Wrong rules for confidently-wrong pretraining mixes:
 * - carry_error: additions of two non-negative numbers drop every carry (digit-wise sum mod 10);
 * - left_to_right: precedence is ignored, the expression is evaluated strictly left to right.
 * Every step of a corrupted example follows the wrong rule consistently.
 */
export const ARITH_CORRUPTIONS = ["carry_error", "left_to_right"] as const;
export type ArithCorruption = (typeof ARITH_CORRUPTIONS)[number];

type Rule = "correct" | ArithCorruption;

const INT = "(?:0|-?[1-9][0-9]*)";
const STEP = `${INT}[-+*/]${INT}=${INT}`;
const RESPONSE_RE = new RegExp(`^(?:${STEP}(?:,${STEP})*)?#(${INT})$`);
const PROMPT_RE = /^(?:0|[1-9][0-9]*)(?:[-+*](?:0|[1-9][0-9]*))*=$/;
const MAX_ANSWER_CHARS = 12;

function carrylessAdd(a: number, b: number): number {
  let result = 0;
  let place = 1;
  while (a > 0 || b > 0) {
    result += (((a % 10) + (b % 10)) % 10) * place;
    a = Math.floor(a / 10);
    b = Math.floor(b / 10);
    place *= 10;
  }
  return result;
}

function apply(op: ArithOp, a: number, b: number, rule: Rule): number {
  switch (op) {
    case "+":
      return rule === "carry_error" && a >= 0 && b >= 0 ? carrylessAdd(a, b) : a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
  }
}

/** Scratchpad steps and final value of an expression under a rule. */
export function arithSteps(
  operands: readonly number[],
  ops: readonly ArithOp[],
  rule: Rule = "correct",
): { steps: string[]; value: number } {
  const vals = [...operands];
  const rest = [...ops];
  const steps: string[] = [];
  const reduce = (i: number) => {
    const v = apply(rest[i], vals[i], vals[i + 1], rule);
    steps.push(`${vals[i]}${rest[i]}${vals[i + 1]}=${v}`);
    vals.splice(i, 2, v);
    rest.splice(i, 1);
  };
  if (rule !== "left_to_right") {
    for (let i = 0; i < rest.length; ) {
      if (rest[i] === "*") reduce(i);
      else i++;
    }
  }
  while (rest.length > 0) reduce(0);
  return { steps, value: vals[0] };
}

function expressionText(operands: readonly number[], ops: readonly ArithOp[]): string {
  let s = String(operands[0]);
  for (let i = 0; i < ops.length; i++) s += ops[i] + String(operands[i + 1]);
  return s;
}

function makeProblem(operands: number[], ops: ArithOp[]): ArithProblem {
  const prompt = `${expressionText(operands, ops)}=`;
  return { id: prompt, prompt, operands, ops, answer: arithSteps(operands, ops).value };
}

export class ArithTask implements Task<ArithProblem> {
  readonly name = "arith";
  readonly difficulty: number;
  readonly recommendedContext: number;
  readonly corruptionKinds: readonly string[] = ARITH_CORRUPTIONS;
  private readonly level: ArithLevel;

  constructor(difficulty: number = ARITH_DEFAULT_LEVEL) {
    const level = ARITH_LEVELS[difficulty];
    if (!level) throw new Error(`arith: unknown difficulty ${difficulty} (levels ${Object.keys(ARITH_LEVELS).join(", ")})`);
    this.difficulty = difficulty;
    this.level = level;
    this.recommendedContext = level.recommendedContext;
  }

  generate(rng: Rng): ArithProblem {
    const { operands: n, maxOperand, ops } = this.level;
    const operands = Array.from({ length: n }, () => rng.int(maxOperand + 1));
    const chosen = Array.from({ length: n - 1 }, () => rng.pick(ops));
    return makeProblem(operands, chosen);
  }

  makeSplits(options: SplitOptions): Splits<ArithProblem> {
    return makeSplitsFrom(`arith-${this.difficulty}`, (rng) => this.generate(rng), options);
  }

  parsePrompt(prompt: string): ArithProblem {
    if (!PROMPT_RE.test(prompt)) throw new Error(`arith: malformed prompt ${JSON.stringify(prompt)}`);
    const body = prompt.slice(0, -1);
    const operands = body.split(/[-+*]/).map(Number);
    const ops = body.replace(/[0-9]/g, "").split("") as ArithOp[];
    return makeProblem(operands, ops);
  }

  extractAnswer(response: string): string | null {
    const m = RESPONSE_RE.exec(response);
    if (!m || m[1].length > MAX_ANSWER_CHARS) return null;
    return m[1];
  }

  isCorrect(problem: ArithProblem, answer: string | null): boolean {
    return answer !== null && answer === String(problem.answer);
  }

  referenceAnswer(problem: ArithProblem): string {
    return String(problem.answer);
  }

  solvedExample(problem: ArithProblem, rng: Rng, options: { corruption?: Corruption } = {}): SolvedExample {
    let rule: Rule = "correct";
    const c = options.corruption;
    if (c) {
      if (!(ARITH_CORRUPTIONS as readonly string[]).includes(c.kind)) {
        throw new Error(`arith: unknown corruption ${c.kind} (kinds ${ARITH_CORRUPTIONS.join(", ")})`);
      }
      if (!(c.rate >= 0 && c.rate <= 1)) throw new Error(`arith: corruption rate must be in [0, 1], got ${c.rate}`);
      // Always draw, so the stream does not depend on the rate.
      if (rng.next() < c.rate) rule = c.kind as ArithCorruption;
    }
    const { steps, value } = arithSteps(problem.operands, problem.ops, rule);
    return {
      prompt: problem.prompt,
      response: `${steps.join(",")}#${value}`,
      corrupted: value !== problem.answer,
    };
  }

  verificationPrompt(problem: ArithProblem, answer: string): string {
    if (!INTEGER_PATTERN.test(answer)) throw new Error(`arith: cannot verify non-integer answer ${JSON.stringify(answer)}`);
    return `VERIFY ${problem.prompt}${answer}?`;
  }

  verificationVerdict(problem: ArithProblem, answer: string): boolean {
    return this.isCorrect(problem, answer);
  }

  verificationExample(problem: ArithProblem, rng: Rng): { prompt: string; response: string; candidate: string } {
    const wrong = new Set<number>();
    for (const rule of ARITH_CORRUPTIONS) wrong.add(arithSteps(problem.operands, problem.ops, rule).value);
    for (const d of [1, 2, 3, 10]) {
      wrong.add(problem.answer + d);
      wrong.add(problem.answer - d);
    }
    wrong.delete(problem.answer);
    const useCorrect = rng.next() < 0.5;
    const candidate = String(useCorrect ? problem.answer : rng.pick([...wrong]));
    return {
      prompt: this.verificationPrompt(problem, candidate),
      response: this.verificationVerdict(problem, candidate) ? VERIFY_YES : VERIFY_NO,
      candidate,
    };
  }
}
