/**
 * Countdown: reach a target from given numbers with + - * / (a division only when exact).
 *
 * Prompt: the numbers separated by `,`, then `>` and the target, then `:`, e.g. `3,7,25>75:`.
 * Response: scratchpad steps (as in arith), `#`, then an expression, e.g. `25-7=18,18*3=54#...`.
 * Any expression that uses each given number at most once and evaluates to the target is
 * correct: correctness is computed, there is no reference answer. Intermediate values may be
 * negative; a division by zero or an inexact division makes the expression invalid.
 *
 * Answer grammar (strict, see extractAnswer): the whole response must be
 *   response := [step ("," step)*] "#" expr       (step as in arith)
 *   expr     := term (("+" | "-") term)*
 *   term     := factor (("*" | "/") factor)*
 *   factor   := number | "(" expr ")"
 *   number   := "0" | [1-9][0-9]{0,3}              (no unary minus)
 * The answer is the expression reprinted canonically with minimal parentheses (so `((3))*(4+5)`
 * and `3*(4+5)` are the same answer for majority voting); operand order is kept.
 */
import { Rng } from "../util/rng";
import {
  type Corruption,
  type Problem,
  type SolvedExample,
  type Splits,
  type SplitOptions,
  type Task,
  VERIFY_NO,
  VERIFY_YES,
  makeSplitsFrom,
} from "./task";

export type CdOp = "+" | "-" | "*" | "/";

export type Expr = { kind: "num"; value: number } | { kind: "bin"; op: CdOp; left: Expr; right: Expr };

export interface CountdownProblem extends Problem {
  readonly numbers: readonly number[];
  readonly target: number;
  /** One expression reaching the target (the generator's construction). */
  readonly solution: string;
}

export interface CountdownLevel {
  readonly count: number;
  readonly maxNumber: number;
  readonly maxTarget: number;
  readonly recommendedContext: number;
}

/** Levels 1-2 have too few distinct problems for the largest train sizes (1: ~300, 2: ~13k); 3+ hold 16384. */
export const COUNTDOWN_LEVELS: Readonly<Record<number, CountdownLevel>> = {
  1: { count: 2, maxNumber: 10, maxTarget: 100, recommendedContext: 64 },
  2: { count: 3, maxNumber: 10, maxTarget: 200, recommendedContext: 64 },
  3: { count: 3, maxNumber: 25, maxTarget: 500, recommendedContext: 64 },
  4: { count: 4, maxNumber: 25, maxTarget: 999, recommendedContext: 96 },
};
export const COUNTDOWN_DEFAULT_LEVEL = 3;

/**
 * Wrong rule for confidently-wrong mixes:
 * - drop_parens: the steps are right but the final expression is written without parentheses,
 *   as if operators applied in step order (so `(25-7)*3` becomes `25-7*3`).
 */
export const COUNTDOWN_CORRUPTIONS = ["drop_parens"] as const;

const INT = "(?:0|-?[1-9][0-9]*)";
const STEP = `${INT}[-+*/]${INT}=${INT}`;
const RESPONSE_RE = new RegExp(`^(?:${STEP}(?:,${STEP})*)?#([-+*/()0-9]+)$`);
const PROMPT_RE = /^((?:[1-9][0-9]*)(?:,[1-9][0-9]*)*)>([1-9][0-9]*):$/;
const MAX_EXPR_CHARS = 40;

const PREC: Record<CdOp, number> = { "+": 1, "-": 1, "*": 2, "/": 2 };

/** Strict recursive-descent parse of the whole string, or null. */
export function parseExpr(text: string): Expr | null {
  let i = 0;
  const number = (): Expr | null => {
    const m = /^(0|[1-9][0-9]{0,3})(?![0-9])/.exec(text.slice(i));
    if (!m) return null;
    i += m[1].length;
    return { kind: "num", value: Number(m[1]) };
  };
  const factor = (): Expr | null => {
    if (text[i] === "(") {
      i++;
      const e = expr();
      if (!e || text[i] !== ")") return null;
      i++;
      return e;
    }
    return number();
  };
  const chain = (next: () => Expr | null, ops: string): Expr | null => {
    let left = next();
    while (left && i < text.length && ops.includes(text[i])) {
      const op = text[i++] as CdOp;
      const right = next();
      if (!right) return null;
      left = { kind: "bin", op, left, right };
    }
    return left;
  };
  const term = () => chain(factor, "*/");
  const expr = (): Expr | null => chain(term, "+-");
  const e = expr();
  return e && i === text.length ? e : null;
}

/** Canonical text with minimal parentheses (operand order kept). */
export function printExpr(e: Expr): string {
  if (e.kind === "num") return String(e.value);
  const p = PREC[e.op];
  const wrap = (s: Expr, need: boolean) => (need ? `(${printExpr(s)})` : printExpr(s));
  const leftNeeds = e.left.kind === "bin" && PREC[e.left.op] < p;
  const rightNeeds =
    e.right.kind === "bin" && (PREC[e.right.op] < p || (PREC[e.right.op] === p && (e.op === "-" || e.op === "/")));
  return `${wrap(e.left, leftNeeds)}${e.op}${wrap(e.right, rightNeeds)}`;
}

/** Value, or null when a division is by zero or inexact. */
export function evalExpr(e: Expr): number | null {
  if (e.kind === "num") return e.value;
  const a = evalExpr(e.left);
  const b = evalExpr(e.right);
  if (a === null || b === null) return null;
  switch (e.op) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      return b !== 0 && a % b === 0 ? a / b : null;
  }
}

function literals(e: Expr, out: number[] = []): number[] {
  if (e.kind === "num") out.push(e.value);
  else {
    literals(e.left, out);
    literals(e.right, out);
  }
  return out;
}

/** Post-order steps `a op b=c` of a valid tree. */
function exprSteps(e: Expr, steps: string[] = []): string[] {
  if (e.kind === "bin") {
    exprSteps(e.left, steps);
    exprSteps(e.right, steps);
    steps.push(`${evalExpr(e.left)}${e.op}${evalExpr(e.right)}=${evalExpr(e)}`);
  }
  return steps;
}

function flatText(e: Expr): string {
  return e.kind === "num" ? String(e.value) : `${flatText(e.left)}${e.op}${flatText(e.right)}`;
}

/** True iff `answer` uses each number at most once (as a multiset) and evaluates to the target. */
export function checkCountdown(numbers: readonly number[], target: number, answer: string): boolean {
  const e = parseExpr(answer);
  if (!e) return false;
  const pool = [...numbers];
  for (const v of literals(e)) {
    const k = pool.indexOf(v);
    if (k < 0) return false;
    pool.splice(k, 1);
  }
  return evalExpr(e) === target;
}

function makeProblem(numbers: number[], target: number, solution: string): CountdownProblem {
  const prompt = `${numbers.join(",")}>${target}:`;
  return { id: prompt, prompt, numbers, target, solution };
}

export class CountdownTask implements Task<CountdownProblem> {
  readonly name = "countdown";
  readonly difficulty: number;
  readonly recommendedContext: number;
  readonly corruptionKinds: readonly string[] = COUNTDOWN_CORRUPTIONS;
  private readonly level: CountdownLevel;

  constructor(difficulty: number = COUNTDOWN_DEFAULT_LEVEL) {
    const level = COUNTDOWN_LEVELS[difficulty];
    if (!level) {
      throw new Error(`countdown: unknown difficulty ${difficulty} (levels ${Object.keys(COUNTDOWN_LEVELS).join(", ")})`);
    }
    this.difficulty = difficulty;
    this.level = level;
    this.recommendedContext = level.recommendedContext;
  }

  /** Draws numbers and a random expression tree over all of them; its value is the target. */
  generate(rng: Rng): CountdownProblem {
    const { count, maxNumber, maxTarget } = this.level;
    for (let attempt = 0; attempt < 10_000; attempt++) {
      const numbers = Array.from({ length: count }, () => rng.range(1, maxNumber));
      const leaves: Expr[] = rng.shuffle([...numbers]).map((value) => ({ kind: "num", value }));
      while (leaves.length > 1) {
        const i = rng.int(leaves.length - 1);
        const op = rng.pick(["+", "-", "*", "/"] as const);
        leaves.splice(i, 2, { kind: "bin", op, left: leaves[i], right: leaves[i + 1] });
      }
      const tree = leaves[0];
      const target = evalExpr(tree);
      // Targets equal to a given number are trivial; reject them.
      if (target === null || target < 1 || target > maxTarget || numbers.includes(target)) continue;
      return makeProblem(numbers, target, printExpr(tree));
    }
    throw new Error("countdown: could not generate a problem (level too constrained)");
  }

  makeSplits(options: SplitOptions): Splits<CountdownProblem> {
    return makeSplitsFrom(`countdown-${this.difficulty}`, (rng) => this.generate(rng), options);
  }

  /** The solution is not in the prompt; a parsed problem gets one found by search. */
  parsePrompt(prompt: string): CountdownProblem {
    const m = PROMPT_RE.exec(prompt);
    if (!m) throw new Error(`countdown: malformed prompt ${JSON.stringify(prompt)}`);
    const numbers = m[1].split(",").map(Number);
    const target = Number(m[2]);
    const solution = solveCountdown(numbers, target);
    if (solution === null) throw new Error(`countdown: prompt ${prompt} has no solution`);
    return makeProblem(numbers, target, solution);
  }

  extractAnswer(response: string): string | null {
    const m = RESPONSE_RE.exec(response);
    if (!m || m[1].length > MAX_EXPR_CHARS) return null;
    const e = parseExpr(m[1]);
    return e ? printExpr(e) : null;
  }

  isCorrect(problem: CountdownProblem, answer: string | null): boolean {
    return answer !== null && checkCountdown(problem.numbers, problem.target, answer);
  }

  referenceAnswer(): null {
    return null;
  }

  solvedExample(problem: CountdownProblem, rng: Rng, options: { corruption?: Corruption } = {}): SolvedExample {
    const tree = parseExpr(problem.solution);
    if (!tree) throw new Error(`countdown: bad stored solution ${problem.solution}`);
    let drop = false;
    const c = options.corruption;
    if (c) {
      if (!(COUNTDOWN_CORRUPTIONS as readonly string[]).includes(c.kind)) {
        throw new Error(`countdown: unknown corruption ${c.kind} (kinds ${COUNTDOWN_CORRUPTIONS.join(", ")})`);
      }
      if (!(c.rate >= 0 && c.rate <= 1)) throw new Error(`countdown: corruption rate must be in [0, 1], got ${c.rate}`);
      drop = rng.next() < c.rate;
    }
    const expr = drop ? flatText(tree) : printExpr(tree);
    return {
      prompt: problem.prompt,
      response: `${exprSteps(tree).join(",")}#${expr}`,
      corrupted: !checkCountdown(problem.numbers, problem.target, expr),
    };
  }

  verificationPrompt(problem: CountdownProblem, answer: string): string {
    if (!/^[-+*/()0-9]+$/.test(answer)) throw new Error(`countdown: cannot verify answer ${JSON.stringify(answer)}`);
    return `VERIFY ${problem.prompt}${answer}?`;
  }

  verificationVerdict(problem: CountdownProblem, answer: string): boolean {
    return this.isCorrect(problem, answer);
  }

  /** Wrong candidates: one operator changed, parentheses dropped, or a number replaced. */
  verificationExample(problem: CountdownProblem, rng: Rng): { prompt: string; response: string; candidate: string } {
    let candidate = problem.solution;
    if (rng.next() >= 0.5) {
      const tree = parseExpr(problem.solution) as Expr;
      const variants = new Set<string>([flatText(tree)]);
      const text = problem.solution;
      for (let i = 0; i < text.length; i++) {
        if ("+-*/".includes(text[i])) {
          for (const op of "+-*/") if (op !== text[i]) variants.add(text.slice(0, i) + op + text.slice(i + 1));
        }
      }
      const m = /[0-9]+/.exec(text);
      if (m) variants.add(text.replace(m[0], String(Number(m[0]) + 1)));
      const wrong = [...variants].filter((v) => parseExpr(v) !== null && !checkCountdown(problem.numbers, problem.target, v));
      if (wrong.length > 0) candidate = printExpr(parseExpr(rng.pick(wrong)) as Expr);
    }
    return {
      prompt: this.verificationPrompt(problem, candidate),
      response: this.verificationVerdict(problem, candidate) ? VERIFY_YES : VERIFY_NO,
      candidate,
    };
  }
}

/** Exhaustive search for an expression over a subset of numbers reaching target (small inputs). */
export function solveCountdown(numbers: readonly number[], target: number): string | null {
  const search = (items: Expr[]): Expr | null => {
    for (const e of items) if (evalExpr(e) === target) return e;
    for (let i = 0; i < items.length; i++) {
      for (let j = 0; j < items.length; j++) {
        if (i === j) continue;
        const rest = items.filter((_, k) => k !== i && k !== j);
        for (const op of ["+", "-", "*", "/"] as const) {
          const e: Expr = { kind: "bin", op, left: items[i], right: items[j] };
          if (evalExpr(e) === null) continue;
          const found = search([...rest, e]);
          if (found) return found;
        }
      }
    }
    return null;
  };
  const found = search(numbers.map((value) => ({ kind: "num", value }) as Expr));
  return found ? printExpr(found) : null;
}
