// What a GRPO update takes and returns, shared by the Policy that computes it (policy.ts), the
// rule that cuts it into slices and joins them (batch-slices.ts) and the worker pool (policy-pool.ts).
// Rows are token-aligned: mask and log-prob at index t concern token t (see policy.ts).
import type { Params } from "./config";

export interface GrpoBatch {
  tokens: ArrayLike<number>[];
  responseMask: ArrayLike<number>[];
  oldLogprobs: ArrayLike<number>[];
  refLogprobs: ArrayLike<number>[];
  advantages: ArrayLike<number>;
}

export interface GrpoOptions {
  clipEps: number;
  klCoef: number;
  maxGradNorm: number;
  /** The sampler's temperature: the ratio's log-probs are of the distribution it drew from. */
  temperature: number;
}

export interface GrpoResult {
  grads: Params;
  loss: number;
  pgLoss: number;
  kl: number;
  clipFrac: number;
  entropy: number;
  gradNorm: number;
}
