// Cutting a GRPO batch into slices and putting their updates back together: the one rule behind the
// CPU's micro-batches (policy.ts: a slice of a few thousand tokens keeps each op's tensors in the
// cache, where the whole batch's tensors stream through memory; its rows go shortest first, so a
// slice pads to its own longest row) and the worker pool's shards (policy-pool.ts). Each slice's
// graph call returns the token mean of its loss and its gradient, unclipped, over its own response
// tokens; the batch's token mean is their mean weighted by each slice's response tokens, and the
// global norm is clipped once, on the whole batch's gradient, as one graph call over the batch does.
// The sum runs in another order than one call's, so the result equals it to float32 rounding, not
// bit for bit; for a given batch and cut it is deterministic.
import { type Params, paramShapes, type ModelConfig } from "./config";
import type { GrpoBatch, GrpoResult } from "./grpo-update";

export type Slice = [start: number, end: number];

/** n rows in k contiguous slices as [start, end) pairs, the first slices one longer when n % k != 0. */
export function slices(n: number, k: number): Slice[] {
  const out: Slice[] = [];
  const base = Math.floor(n / k), extra = n % k;
  let at = 0;
  for (let i = 0; i < k; i++) {
    const len = base + (i < extra ? 1 : 0);
    if (len > 0) out.push([at, at + len]);
    at += len;
  }
  return out;
}

/**
 * The fewest equal contiguous slices of rows whose padded size (rows x the longest row) stays within
 * `maxTokens`, counted on the whole batch's longest row; one slice when it fits or maxTokens is Infinity.
 */
export function microBatches(rowLengths: number[], maxTokens: number): Slice[] {
  const n = rowLengths.length;
  if (n === 0) return [];
  const padded = n * Math.max(...rowLengths);
  const k = Number.isFinite(maxTokens) ? Math.min(n, Math.max(1, Math.ceil(padded / Math.max(1, maxTokens)))) : 1;
  return slices(n, k);
}

/**
 * The batch's rows shortest first (ties in batch order). Rows are independent in the loss, so the
 * order changes nothing but the padding: micro-batches of similar lengths pad each row to its
 * slice's longest, not the batch's (default batches of rollouts from five shipped models padded
 * to 1.17-1.21x their tokens in contiguous slices, 1.05-1.07x sorted).
 */
export function byLength(batch: GrpoBatch): GrpoBatch {
  const order = batch.tokens.map((_, i) => i).sort((i, j) => batch.tokens[i]!.length - batch.tokens[j]!.length || i - j);
  return eachField(batch, (rows) => order.map((i) => rows[i]!));
}

/** The rows [a, b) of a batch. */
export function sliceBatch(batch: GrpoBatch, [a, b]: Slice): GrpoBatch {
  return eachField(batch, (rows) => Array.prototype.slice.call(rows, a, b));
}

/** The same selection of rows from every per-row field of a batch. */
function eachField(batch: GrpoBatch, take: <T>(rows: ArrayLike<T>) => T[]): GrpoBatch {
  return {
    tokens: take(batch.tokens),
    responseMask: take(batch.responseMask),
    oldLogprobs: take(batch.oldLogprobs),
    refLogprobs: take(batch.refLogprobs),
    advantages: take(batch.advantages),
  };
}

/** Response tokens in rows [a, b): a slice's weight in the batch's token mean (index 0, BOS, is never a target). */
export function responseTokens(responseMask: ArrayLike<number>[], [a, b]: Slice): number {
  let n = 0;
  for (let i = a; i < b; i++) {
    const mask = responseMask[i]!;
    for (let t = 1; t < mask.length; t++) n += mask[t]!;
  }
  return n;
}

/**
 * The batch's update from its slices' unclipped ones (`weights`: each slice's response tokens):
 * the token-weighted mean of losses, statistics and gradients, then the gradient clipped to
 * `maxGradNorm` on its global L2 norm (reported before clipping, as the graph does).
 */
export function mergeSlices(config: ModelConfig, results: GrpoResult[], weights: number[], maxGradNorm: number): GrpoResult {
  const total = weights.reduce((x, y) => x + y, 0);
  const share = weights.map((w) => (total > 0 ? w / total : 1 / weights.length));
  const grads: Params = new Map();
  let sq = 0;
  for (const [name] of paramShapes(config)) {
    const sum = new Float32Array(results[0]!.grads.get(name)!.length);
    results.forEach((r, i) => {
      const g = r.grads.get(name)!, s = share[i]!;
      for (let j = 0; j < sum.length; j++) sum[j]! += s * g[j]!;
    });
    for (let j = 0; j < sum.length; j++) sq += sum[j]! * sum[j]!;
    grads.set(name, sum);
  }
  const gradNorm = Math.sqrt(sq);
  const scale = Math.min(maxGradNorm / (gradNorm + 1e-6), 1);
  if (scale < 1) for (const g of grads.values()) for (let j = 0; j < g.length; j++) g[j]! *= scale;
  const mean = (k: "loss" | "pgLoss" | "kl" | "clipFrac" | "entropy") => results.reduce((s, r, i) => s + share[i]! * r[k], 0);
  return { grads, loss: mean("loss"), pgLoss: mean("pgLoss"), kl: mean("kl"), clipFrac: mean("clipFrac"), entropy: mean("entropy"), gradNorm };
}
