// Forward emission of the GPT-2 style transformer (pre-LN with fused LayerNormalization, tanh
// GELU, learned positions, untied head) into a Graph, with the weights as graph inputs so one
// session serves every step.
//
// Legend: B batch, S new positions in this call, N = B*S rows, L key positions (past + new),
// C width, H heads, D = C/H head size, V vocabulary. The sampler's KV cache (kv-cache.ts) either
// lives on the host as keys and values (B, H, Lc, D) of a fixed capacity Lc, which a decode step
// reads as graph inputs and extends by the new token's keys and values it returns (`cache`), or
// stays where the graphs run, as (B, H, L, D) that each decode step takes and returns one column
// longer (`past`).

import { gelu } from "../onnx/composites";
import type { Graph, Tensor } from "../onnx/graph";
import { type ModelConfig, LN_EPS, paramShapes } from "./config";

export type ParamTensors = Map<string, Tensor>;

export interface LayerCache {
  k: Tensor;
  v: Tensor;
}

export interface ForwardOptions {
  /**
   * Decoding one token per row (S = 1) against a fixed-capacity cache: k and v (B, H, Lc, D), of
   * which `allowed` (B, 1, 1, Lc) marks the filled positions. The new token attends to those and
   * to itself; the cache is not copied in the graph (the host writes the new keys/values, returned
   * in `present` as (B, C) rows, into its buffers).
   */
  cache?: LayerCache[];
  /**
   * Decoding one token per row (S = 1) against the past keys and values (B, H, L, D) of every
   * position so far: the new token's are appended, `allowed` (B, 1, 1, L + 1) covers all of them,
   * and `present` returns the whole (B, H, L + 1, D), ready to be the next step's past.
   */
  past?: LayerCache[];
  /** Full-sequence calls: return `present` as (B, H, S, D) (a device cache's layout), not (N, C) rows. */
  presentByHead?: boolean;
}

/** Declares every parameter as a graph input named as in `paramShapes`. */
export function declareParams(g: Graph, c: ModelConfig): ParamTensors {
  const p: ParamTensors = new Map();
  for (const [name, dims] of paramShapes(c)) p.set(name, g.input(name, g.float, dims));
  return p;
}

/**
 * Logits (B, S, V) for `tokens` (B, S) at `positions` ((B, S) or (S), int64); `allowed` is a bool
 * mask broadcastable to (B, H, S, L): true where a query may attend to a key. Between attention
 * blocks the activations are kept 2-D (N = B*S, C) so every linear layer is one Gemm with its bias.
 */
export function emitForward(
  g: Graph, c: ModelConfig, p: ParamTensors, tokens: Tensor, positions: Tensor, allowed: Tensor, opts: ForwardOptions = {},
): { logits: Tensor; present: LayerCache[] } {
  // present: per layer, this call's keys and values as (N, C) rows (head h at columns h*D..h*D+D-1),
  // or in the device cache's layout (see `past` and `presentByHead`).
  const P = (n: string) => {
    const t = p.get(n);
    if (!t) throw new Error(`missing parameter ${n}`);
    return t;
  };
  const C = c.width, H = c.heads, D = C / H;
  const [Bs, Ss] = tokens.shape;
  const bs = [g.dimOf(tokens, 0), g.dimOf(tokens, 1)];
  const bshd = g.concat([...bs, g.ints([H, D])], 0);
  const heads = (t: Tensor) => g.reshapeTo(t, bshd, [Bs, Ss, H, D]); // (N, C) -> (B, S, H, D)
  // One additive mask for all layers and heads: Add's gradient passes straight through, where a
  // per-layer Where would cost two more passes over the scores in the backward.
  const maskBias = g.where(allowed, 0, -1e9); // (B, 1, S, L)
  let x = g.reshape(g.add(g.gather(P("wte"), tokens), g.gather(P("wpe"), positions)), [-1, C]); // (N, C)
  const present: LayerCache[] = [];
  for (let i = 0; i < c.depth; i++) {
    const pre = `h${i}.`;
    const h = g.layerNorm(x, P(`${pre}ln1.g`), P(`${pre}ln1.b`), LN_EPS);
    const qkv = g.linear(h, P(`${pre}attn.wqkv`), P(`${pre}attn.bqkv`)); // (N, 3C)
    const [q0, k0, v0] = g.split(qkv, -1, [C, C, C]);
    const cache = opts.cache?.[i], past = opts.past?.[i];
    let merged: Tensor; // (N, C)
    let kv: LayerCache = { k: k0, v: v0 };
    if (past) {
      const q = g.reshape(g.mul(q0, 1 / Math.sqrt(D)), [-1, H, 1, D]); // (B, H, 1, D): S = 1
      const k = g.concat([past.k, g.reshape(k0, [-1, H, 1, D])], 2); // (B, H, L + 1, D)
      const v = g.concat([past.v, g.reshape(v0, [-1, H, 1, D])], 2);
      const sc = g.add(g.matmul(q, g.transpose(k, [0, 1, 3, 2])), maskBias); // (B, H, 1, L + 1)
      merged = g.reshape(g.matmul(g.softmax(sc, -1), v), [-1, C]); // (B, H, 1, D) -> (N, C)
      kv = { k, v };
    } else if (cache) {
      const q = g.reshape(g.mul(q0, 1 / Math.sqrt(D)), [-1, H, 1, D]); // (B, H, 1, D): S = 1
      const kn = g.reshape(k0, [-1, H, 1, D]), vn = g.reshape(v0, [-1, H, 1, D]);
      // Transpose + MatMul becomes one FusedMatMul with transB (onnxruntime's graph optimizer).
      const sc = g.add(g.matmul(q, g.transpose(cache.k, [0, 1, 3, 2])), maskBias); // (B, H, 1, Lc)
      const ss = g.reduceSum(g.mul(q, kn), [-1], true); // (B, H, 1, 1): the token's own key
      const pr = g.softmax(g.concat([sc, ss], 3), -1); // (B, H, 1, Lc + 1)
      const pc = g.slice(pr, [0], [-1], [3]), ps = g.slice(pr, [-1], [Number.MAX_SAFE_INTEGER], [3]);
      merged = g.reshape(g.add(g.matmul(pc, cache.v), g.mul(ps, vn)), [-1, C]); // (B, H, 1, D) -> (N, C)
    } else {
      const q = g.transpose(heads(g.mul(q0, 1 / Math.sqrt(D))), [0, 2, 1, 3]); // (B, H, S, D)
      const k = g.transpose(heads(k0), [0, 2, 3, 1]); // (B, H, D, S)
      const v = g.transpose(heads(v0), [0, 2, 1, 3]); // (B, H, S, D)
      const scores = g.add(g.matmul(q, k), maskBias); // (B, H, S, S)
      const y = g.matmul(g.softmax(scores, -1), v); // (B, H, S, D)
      merged = g.reshape(g.transpose(y, [0, 2, 1, 3]), [-1, C]); // (N, C)
      if (opts.presentByHead) kv = { k: g.transpose(heads(k0), [0, 2, 1, 3]), v }; // (B, H, S, D)
    }
    present.push(kv);
    x = g.add(x, g.linear(merged, P(`${pre}attn.wo`), P(`${pre}attn.bo`)));
    const h2 = g.layerNorm(x, P(`${pre}ln2.g`), P(`${pre}ln2.b`), LN_EPS);
    const f = gelu(g, g.linear(h2, P(`${pre}mlp.wfc`), P(`${pre}mlp.bfc`))); // (N, 4C)
    x = g.add(x, g.linear(f, P(`${pre}mlp.wproj`), P(`${pre}mlp.bproj`)));
  }
  const xf = g.layerNorm(x, P("lnf.g"), P("lnf.b"), LN_EPS);
  const logits = g.reshapeTo(g.matmul(xf, P("head")), g.concat([...bs, g.ints([c.vocabSize])], 0), [Bs, Ss, c.vocabSize]);
  return { logits, present };
}

/**
 * The full-sequence attention mask for right-padded batches: causal, and PAD keys never attended
 * (so PAD never influences a non-PAD position). Returns (B, 1, T, T) bool and positions (T).
 */
export function causalPadMask(g: Graph, tokens: Tensor, pad: number): { allowed: Tensor; positions: Tensor } {
  const T = tokens.shape[1];
  const len = g.squeeze(g.dimOf(tokens, 1), [0]);
  const pos = g.range(0, len, T); // (T)
  const causal = g.lessOrEqual(g.unsqueeze(pos, [0]), g.unsqueeze(pos, [1])); // (T, T): key <= query
  const keyOk = g.unsqueeze(g.not(g.equal(tokens, g.constant(pad, "int64", []))), [1, 2]); // (B, 1, 1, T)
  return { allowed: g.and(causal, keyOk), positions: pos };
}
