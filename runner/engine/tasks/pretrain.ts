/**
 * Supervised pretraining data for base models: solved examples mixed with verification examples
 * (so self_verification has a learned verifier to ask), optionally with a confidently-wrong share.
 *
 * Rows follow the Policy's token-aligned convention: `lossMask[t]` = 1 when token t is a training
 * target (every response token and the EOS), 0 for BOS and the prompt.
 */
import type { Rng } from "../util/rng";
import type { Corruption, Problem, Task } from "./task";
import { encodeExample } from "./tokenizer";

export interface PretrainMix {
  /** Share of examples that are `VERIFY ...?` -> Y/N instead of solutions, in [0, 1]. */
  readonly verificationShare: number;
  /** Confidently-wrong rule applied to a share of the solved examples. */
  readonly corruption?: Corruption;
}

export interface PretrainExample {
  readonly kind: "solve" | "verify";
  readonly prompt: string;
  readonly response: string;
  readonly corrupted: boolean;
  readonly tokens: number[];
  readonly lossMask: number[];
}

export function pretrainExample<P extends Problem>(task: Task<P>, problem: P, rng: Rng, mix: PretrainMix): PretrainExample {
  if (!(mix.verificationShare >= 0 && mix.verificationShare <= 1)) {
    throw new Error(`verificationShare must be in [0, 1], got ${mix.verificationShare}`);
  }
  const verify = rng.next() < mix.verificationShare;
  const ex = verify
    ? { ...task.verificationExample(problem, rng), corrupted: false }
    : task.solvedExample(problem, rng, { corruption: mix.corruption });
  const { tokens, responseStart } = encodeExample(ex.prompt, ex.response);
  const lossMask = tokens.map((_, t) => (t >= responseStart ? 1 : 0));
  return { kind: verify ? "verify" : "solve", prompt: ex.prompt, response: ex.response, corrupted: ex.corrupted, tokens, lossMask };
}

/** A batch of examples over problems drawn uniformly (with replacement) from `problems`. */
export function pretrainBatch<P extends Problem>(
  task: Task<P>,
  problems: readonly P[],
  rng: Rng,
  batchSize: number,
  mix: PretrainMix,
): { tokens: number[][]; lossMask: number[][]; examples: PretrainExample[] } {
  if (problems.length === 0) throw new Error("pretrainBatch needs at least one problem");
  const examples = Array.from({ length: batchSize }, () => pretrainExample(task, rng.pick(problems), rng, mix));
  return { tokens: examples.map((e) => e.tokens), lossMask: examples.map((e) => e.lossMask), examples };
}

/**
 * A batch whose examples come from several levels (or tasks): each example's source is drawn by its
 * share (the shares sum to 1), then a problem of that source's pool.
 */
export function mixedBatch(
  sources: ReadonlyArray<{ task: Task<Problem>; pool: readonly Problem[]; share: number }>,
  rng: Rng,
  batchSize: number,
  mix: PretrainMix,
): { tokens: number[][]; lossMask: number[][]; examples: PretrainExample[] } {
  const total = sources.reduce((s, x) => s + x.share, 0);
  if (Math.abs(total - 1) > 1e-9 || sources.some((x) => x.share < 0)) throw new Error(`mixed batch: shares must be >= 0 and sum to 1, got ${total}`);
  const examples = Array.from({ length: batchSize }, () => {
    let u = rng.next();
    const src = sources.find((x) => (u -= x.share) < 0) ?? sources[sources.length - 1]!;
    return pretrainExample(src.task, rng.pick(src.pool), rng, mix);
  });
  return { tokens: examples.map((e) => e.tokens), lossMask: examples.map((e) => e.lossMask), examples };
}
