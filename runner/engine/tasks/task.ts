/**
 * The task interface shared by arithmetic and countdown, and the split generator they both use.
 *
 * A response is always `scratchpad#answer`: the grammar of each part is task-specific and
 * documented on each task's `extractAnswer`. Extraction is strict: any malformed response has no
 * answer (null), and a null answer is never correct and never joins a majority.
 */
import { Rng } from "../util/rng";

/** makeSplits accepts any size up to this (tests and ablations go beyond the product range). */
export const SPLIT_SIZE_LIMIT = 1 << 16;

/** Verdict tokens of a verification prompt `VERIFY ...?`. */
export const VERIFY_YES = "Y";
export const VERIFY_NO = "N";

export interface Problem {
  /** Unique within a task and difficulty (it is the prompt). */
  readonly id: string;
  /** Text after BOS that the model continues. */
  readonly prompt: string;
}

export interface SolvedExample {
  readonly prompt: string;
  readonly response: string;
  /** True when the response follows the corruption's wrong rule and its answer is incorrect. */
  readonly corrupted: boolean;
}

export interface Corruption {
  /** One of the task's `corruptionKinds`. */
  readonly kind: string;
  /** Share of solved examples, in [0, 1], that follow the wrong rule. */
  readonly rate: number;
}

export interface SplitOptions {
  readonly seed: number;
  readonly trainSize: number;
  readonly valSize: number;
}

export interface Splits<P extends Problem> {
  readonly train: P[];
  readonly val: P[];
}

export interface Task<P extends Problem = Problem> {
  readonly name: string;
  readonly difficulty: number;
  /** Context length (tokens incl. BOS and EOS) that fits every reference solution at this difficulty. */
  readonly recommendedContext: number;
  /** Kinds accepted by `solvedExample`'s corruption option. */
  readonly corruptionKinds: readonly string[];

  /** One random problem. */
  generate(rng: Rng): P;
  /**
   * Deterministic train/validation problems for a seed. Validation is drawn first from its own
   * stream, so it does not depend on trainSize; train never contains a validation prompt, has no
   * duplicates, and a smaller train set is a prefix of a larger one (same seed and valSize).
   */
  makeSplits(options: SplitOptions): Splits<P>;
  /** Rebuild a problem from its prompt (for checkpoints and exports); throws on a malformed prompt. */
  parsePrompt(prompt: string): P;

  /** Answer of a decoded response (text before EOS), or null when malformed. */
  extractAnswer(response: string): string | null;
  isCorrect(problem: P, answer: string | null): boolean;
  /** The reference answer when the task has one (arith), null where correctness is computed (countdown). */
  referenceAnswer(problem: P): string | null;

  /** A correct prompt + response pair, or with the given probability one following a wrong rule. */
  solvedExample(problem: P, rng: Rng, options?: { corruption?: Corruption }): SolvedExample;

  /** `VERIFY ...?`: the policy answers VERIFY_YES or VERIFY_NO. */
  verificationPrompt(problem: P, answer: string): string;
  /** Gold verdict: true iff the answer is correct (the check is a computation the model can learn). */
  verificationVerdict(problem: P, answer: string): boolean;
  /** Pretraining example: a correct or a plausible wrong candidate, with its gold verdict. */
  verificationExample(problem: P, rng: Rng): { prompt: string; response: string; candidate: string };
}

function checkSize(label: string, n: number, min: number): void {
  if (!Number.isInteger(n) || n < min || n > SPLIT_SIZE_LIMIT) {
    throw new Error(`${label} must be an integer in [${min}, ${SPLIT_SIZE_LIMIT}], got ${n}`);
  }
}

/** The split procedure of Task.makeSplits, shared by every task. */
export function makeSplitsFrom<P extends Problem>(
  taskKey: string,
  generate: (rng: Rng) => P,
  { seed, trainSize, valSize }: SplitOptions,
): Splits<P> {
  checkSize("trainSize", trainSize, 1);
  checkSize("valSize", valSize, 0);
  const seen = new Set<string>();
  const draw = (stream: string, n: number): P[] => {
    const rng = Rng.derive(seed, `${taskKey}/${stream}`);
    const out: P[] = [];
    const maxAttempts = 20 * n + 10_000; // near-exhausted spaces fail within about a second
    for (let attempt = 0; out.length < n; attempt++) {
      if (attempt >= maxAttempts) {
        throw new Error(
          `${taskKey}: found only ${out.length} of ${n} distinct ${stream} problems; ` +
            `the problem space is too small for this size, raise the difficulty`,
        );
      }
      const p = generate(rng);
      if (seen.has(p.id)) continue;
      seen.add(p.id);
      out.push(p);
    }
    return out;
  };
  const val = draw("val", valSize);
  const train = draw("train", trainSize);
  return { train, val };
}

/** A canonical integer string (no leading zeros, no "-0"), as every integer answer is written. */
export const INTEGER_PATTERN = /^(0|-?[1-9][0-9]*)$/;
