// The engine's ONNX graphs, all with the weights as graph inputs (one session per graph serves
// every step). Graph-side conventions, applied by policy.ts on the host:
// - Full-sequence graphs (logits, scorer, grpo, ce) take right-padded `tokens` (B, T) and work at
//   *prediction positions*: `targets[b, t]` is the token that follows position t (PAD after the
//   last one), and every per-token input/output at t concerns that next token.
// - The sampler left-pads prompts: `positions` (B, S) start at 0 on each row's first real token and
//   `keyMask` (B, L) is false on pad keys, so a row's logits equal those of its unpadded forward.
//
// Legend: B batch, T sequence length, S new positions, L key positions, V vocabulary.

import { gradients } from "../onnx/autodiff";
import { Graph, type Tensor } from "../onnx/graph";
import { type ModelConfig, PAD, UNSAMPLED, paramShapes } from "./config";
import { type LayerCache, causalPadMask, declareParams, emitForward } from "./transformer";

type Float = "float32" | "float64";

const tokensIn = (g: Graph) => g.input("tokens", "int64", ["B", "T"]);

/**
 * Per-position log p(target), entropy H(p_t) and self-certainty KL(U || p_t), each (B, T), of the
 * distribution the sampler draws from: softmax(logits / temperature) over the tokens it can draw
 * (UNSAMPLED excluded; U is uniform over the rest). As in verl and vLLM, top-p is not part of it:
 * the nucleus only decides which tokens are drawn, and a ratio over a truncated support would be
 * undefined for tokens the updated policy moves in or out of it.
 */
function policyStats(g: Graph, logits: Tensor, targets: Tensor, V: number, temperature: Tensor) {
  const outside = Array.from({ length: V }, (_, v) => (UNSAMPLED.includes(v) ? -1e9 : 0));
  const lsm = g.logSoftmax(g.add(g.div(logits, temperature), g.constant(outside, g.float, [V])), -1); // (B, T, V)
  const logp = g.squeeze(g.gatherElements(lsm, g.unsqueeze(targets, [2]), 2), [2]);
  const entropy = g.neg(g.reduceSum(g.mul(g.exp(lsm), lsm), [-1], false));
  const support = V - UNSAMPLED.length;
  const inside = g.constant(outside.map((o) => (o === 0 ? 1 / support : 0)), g.float, [V]);
  const selfCertainty = g.sub(g.neg(g.reduceSum(g.mul(lsm, inside), [-1], false)), Math.log(support));
  return { logp, entropy, selfCertainty };
}

/** Per-position log p(target) under the full softmax (pretraining's cross-entropy). */
function targetLogprob(g: Graph, logits: Tensor, targets: Tensor): Tensor {
  return g.squeeze(g.gatherElements(g.logSoftmax(logits, -1), g.unsqueeze(targets, [2]), 2), [2]);
}

/** Appends clipped gradient outputs `grad.<name>` and `gradNorm` (pre-clip global L2 norm). */
function clippedGradOutputs(g: Graph, c: ModelConfig, loss: Tensor, p: Map<string, Tensor>, maxNorm: Tensor) {
  const names = paramShapes(c).map(([n]) => n);
  const grads = gradients(g, loss, names.map((n) => p.get(n)!));
  let sq: Tensor | null = null;
  for (const gr of grads) {
    const s = g.sumAll(g.mul(gr, gr));
    sq = sq ? g.add(sq, s) : s;
  }
  const norm = g.sqrt(sq!);
  const scale = g.min(g.div(maxNorm, g.add(norm, 1e-6)), 1);
  grads.forEach((gr, k) => g.output(g.mul(gr, scale), `grad.${names[k]}`));
  g.output(norm, "gradNorm");
}

/** Full forward logits (B, T, V): the reference the KV-cache sampler is tested against. */
export function buildLogitsGraph(c: ModelConfig, float: Float = "float32"): Graph {
  const g = new Graph(float, "logits");
  const p = declareParams(g, c);
  const tokens = tokensIn(g);
  const { allowed, positions } = causalPadMask(g, tokens, PAD);
  g.output(emitForward(g, c, p, tokens, positions, allowed).logits, "logits");
  return g;
}

/** Scorer: tokens, targets, temperature -> logprob, entropy, selfCertainty, each (B, T) (see policyStats). */
export function buildScorerGraph(c: ModelConfig, float: Float = "float32"): Graph {
  const g = new Graph(float, "scorer");
  const p = declareParams(g, c);
  const tokens = tokensIn(g);
  const targets = g.input("targets", "int64", ["B", "T"]);
  const temperature = g.input("temperature", float, []);
  const { allowed, positions } = causalPadMask(g, tokens, PAD);
  const { logits } = emitForward(g, c, p, tokens, positions, allowed);
  const s = policyStats(g, logits, targets, c.vocabSize, temperature);
  g.output(s.logp, "logprob");
  g.output(s.entropy, "entropy");
  g.output(s.selfCertainty, "selfCertainty");
  return g;
}

/**
 * The GRPO loss over a batch (token-mean over response tokens): clipped importance ratio,
 * k3 KL to the reference, then autodiff gradients with global-norm clipping.
 * Inputs: tokens, targets, mask, oldLogprobs, refLogprobs (B, T); advantages (B); scalars
 * clipEps, klCoef, maxGradNorm, temperature (the log-probs are the sampler's: see policyStats).
 * Outputs: grad.<param>..., loss, pgLoss, kl, clipFrac, entropy, gradNorm.
 */
export function buildGrpoGraph(c: ModelConfig, float: Float = "float32"): Graph {
  const g = new Graph(float, "grpo");
  const p = declareParams(g, c);
  const tokens = tokensIn(g);
  const targets = g.input("targets", "int64", ["B", "T"]);
  const mask = g.input("mask", float, ["B", "T"]);
  const oldLp = g.input("oldLogprobs", float, ["B", "T"]);
  const refLp = g.input("refLogprobs", float, ["B", "T"]);
  const adv = g.input("advantages", float, ["B"]);
  const clipEps = g.input("clipEps", float, []);
  const klCoef = g.input("klCoef", float, []);
  const maxNorm = g.input("maxGradNorm", float, []);
  const temperature = g.input("temperature", float, []);
  const { loss, stats } = grpoLoss(g, c, p, { tokens, targets, mask, oldLp, refLp, adv, clipEps, klCoef, temperature });
  clippedGradOutputs(g, c, loss, p, maxNorm);
  g.output(loss, "loss");
  for (const [k, v] of Object.entries(stats)) g.output(v, k);
  return g;
}

export interface GrpoTensors {
  tokens: Tensor; targets: Tensor; mask: Tensor; oldLp: Tensor; refLp: Tensor; adv: Tensor; clipEps: Tensor; klCoef: Tensor; temperature: Tensor;
}

/** The scalar GRPO loss and its (non-differentiated) statistics; exported for the gradient check. */
export function grpoLoss(g: Graph, c: ModelConfig, p: Map<string, Tensor>, t: GrpoTensors) {
  const { allowed, positions } = causalPadMask(g, t.tokens, PAD);
  const { logits } = emitForward(g, c, p, t.tokens, positions, allowed);
  const { logp, entropy } = policyStats(g, logits, t.targets, c.vocabSize, t.temperature);
  const a = g.unsqueeze(t.adv, [1]); // (B, 1)
  const ratio = g.exp(g.sub(logp, t.oldLp));
  const pg1 = g.neg(g.mul(a, ratio));
  const pg2 = g.neg(g.mul(a, g.clip(ratio, g.sub(1, t.clipEps), g.add(1, t.clipEps))));
  const pg = g.max(pg1, pg2);
  const d = g.sub(t.refLp, logp);
  const kl = g.sub(g.sub(g.exp(d), d), 1);
  const n = g.max(g.sumAll(t.mask), 1);
  const mean = (x: Tensor) => g.div(g.sumAll(g.mul(x, t.mask)), n);
  const loss = mean(g.add(pg, g.mul(t.klCoef, kl)));
  const stats = {
    pgLoss: mean(pg),
    kl: mean(kl),
    clipFrac: mean(g.cast(g.greater(pg2, pg1), g.float)),
    entropy: mean(entropy),
  };
  return { loss, stats };
}

/** Next-token cross-entropy averaged over masked targets; inputs tokens, targets, mask, maxGradNorm. */
export function buildCeGraph(c: ModelConfig, float: Float = "float32"): Graph {
  const g = new Graph(float, "ce");
  const p = declareParams(g, c);
  const tokens = tokensIn(g);
  const targets = g.input("targets", "int64", ["B", "T"]);
  const mask = g.input("mask", float, ["B", "T"]);
  const maxNorm = g.input("maxGradNorm", float, []);
  const loss = ceLoss(g, c, p, tokens, targets, mask);
  clippedGradOutputs(g, c, loss, p, maxNorm);
  g.output(loss, "loss");
  return g;
}

export function ceLoss(g: Graph, c: ModelConfig, p: Map<string, Tensor>, tokens: Tensor, targets: Tensor, mask: Tensor): Tensor {
  const { allowed, positions } = causalPadMask(g, tokens, PAD);
  const { logits } = emitForward(g, c, p, tokens, positions, allowed);
  const logp = targetLogprob(g, logits, targets);
  return g.div(g.neg(g.sumAll(g.mul(logp, mask))), g.max(g.sumAll(mask), 1));
}

/** Where the sampler's KV cache lives between decode steps (kv-cache.ts). */
export type KvCacheAt = "host" | "device";

/**
 * Sampler step graphs. Prefill (withPast false): tokens/positions (B, S), keyMask (B, S), causal.
 * Both output the last position's logits (B, V) and the keys and values, as the cache wants them:
 * - cache on the host: decode takes one new token per row, a fixed-capacity cache cache.<i>.k and
 *   cache.<i>.v (B, H, Lc, D), and keyMask (B, Lc) true on its filled positions (the new token
 *   always attends to itself); both graphs output only this call's keys and values present.<i>.k /
 *   present.<i>.v as (B*S, C) rows (head h at columns h*D..h*D+D-1), which the host writes into
 *   its cache.
 * - cache on the device: prefill outputs cache.<i>.k / cache.<i>.v (B, H, S, D); decode takes the
 *   previous call's past.<i>.k / past.<i>.v (B0, H, L, D), `rows` (B) picking the batch rows still
 *   decoding (finished rows are dropped on the device), keyMask (B, L + 1), and outputs the cache
 *   one position longer (B, H, L + 1, D). Nothing but logits needs to leave the device.
 */
export function buildSamplerGraph(c: ModelConfig, withPast: boolean, float: Float = "float32", cacheAt: KvCacheAt = "host"): Graph {
  const g = new Graph(float, `${withPast ? "decode" : "prefill"}.${cacheAt}`);
  const p = declareParams(g, c);
  const H = c.heads, D = c.width / c.heads;
  const onDevice = cacheAt === "device";
  const tokens = g.input("tokens", "int64", ["B", withPast ? 1 : "S"]);
  const positions = g.input("positions", "int64", ["B", withPast ? 1 : "S"]);
  const keyMask = g.input("keyMask", "bool", ["B", "L"]);
  let cache: LayerCache[] | undefined, past: LayerCache[] | undefined;
  let allowed = g.unsqueeze(keyMask, [1, 2]); // (B, 1, 1, L)
  if (withPast && onDevice) {
    const rows = g.input("rows", "int64", ["B"]);
    past = [];
    for (let i = 0; i < c.depth; i++) {
      const at = (n: string) => g.gather(g.input(`past.${i}.${n}`, float, ["B0", H, "L0", D]), rows, 0); // (B, H, L0, D)
      past.push({ k: at("k"), v: at("v") });
    }
  } else if (withPast) {
    cache = [];
    for (let i = 0; i < c.depth; i++) cache.push({ k: g.input(`cache.${i}.k`, float, ["B", H, "L", D]), v: g.input(`cache.${i}.v`, float, ["B", H, "L", D]) });
  } else {
    const len = g.squeeze(g.dimOf(tokens, 1), [0]);
    const pos = g.range(0, len, "S");
    allowed = g.and(allowed, g.lessOrEqual(g.unsqueeze(pos, [0]), g.unsqueeze(pos, [1]))); // (B, 1, S, S)
  }
  const { logits, present } = emitForward(g, c, p, tokens, positions, allowed, { cache, past, presentByHead: onDevice });
  const last = withPast ? g.squeeze(logits, [1]) : g.squeeze(g.slice(logits, [-1], [Number.MAX_SAFE_INTEGER], [1]), [1]);
  g.output(last, "logits");
  const prefix = onDevice ? "cache" : "present";
  present.forEach((kv, i) => {
    g.output(kv.k, `${prefix}.${i}.k`);
    g.output(kv.v, `${prefix}.${i}.v`);
  });
  return g;
}

/**
 * Copies the weights onto the device once, for the many sampler calls that read them: inputs as
 * in every graph, outputs `device.<name>` (Identity), fetched as GPU buffers (kv-cache.ts).
 */
export function buildUploadGraph(c: ModelConfig, float: Float = "float32"): Graph {
  const g = new Graph(float, "upload");
  const p = declareParams(g, c);
  for (const [name, t] of p) g.output(g.identity(t), `device.${name}`);
  return g;
}
