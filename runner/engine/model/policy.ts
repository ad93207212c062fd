// The Policy: the scorer, train-step and KV-cache sampler graphs behind one object, one lazily
// created onnxruntime session per graph, weights fed as inputs on every call.
//
// Host-side conventions (arrays are per row, rows may have different lengths; PAD = 0):
// - `sample` prompts are token ids including the leading BOS; prompts are left-padded for the
//   sampler (see graphs.ts). A row stops at EOS (kept), at maxNewTokens, or at the context limit.
// - `score` returns, for each sequence, values for its tokens responseStart..end: the log-prob of
//   that token, and the entropy / self-certainty of the distribution it was drawn from.
// - `grpoStep`/`ceStep` take token-aligned arrays: mask/logprob at index t refer to token t (as
//   predicted from tokens < t); index 0 (BOS) is never a target.

import type * as ortTypes from "onnxruntime-node";
import type { Graph } from "../onnx/graph";
import { type Device, createSession, ort } from "../onnx/session";
import { EOS, type ModelConfig, type Params, type UniformSource, paramShapes } from "./config";
import { type KvCacheAt, buildCeGraph, buildGrpoGraph, buildLogitsGraph, buildSamplerGraph, buildScorerGraph, buildUploadGraph } from "./graphs";
import { byLength, mergeSlices, microBatches, responseTokens, sliceBatch } from "./batch-slices";
import type { GrpoBatch, GrpoOptions, GrpoResult } from "./grpo-update";
import { DeviceKvCache, HostKvCache, type KvCache } from "./kv-cache";
import { type DrawnToken, TokenDrawer } from "./sampling";

export interface PolicyOptions {
  device?: Device;
  /** float32 for training; float64 for gradient checks. */
  dtype?: "float32" | "float64";
  /** onnxruntime intra-op threads (default: onnxruntime's choice; see onnx/session.ts). */
  threads?: number;
  /** Let idle onnxruntime pool threads spin between ops (see onnx/session.ts). */
  spinning?: boolean;
  /** onnxruntime log severity for every session (see onnx/session.ts; the device diagnostic uses 0). */
  logSeverity?: 0 | 1 | 2 | 3 | 4;
  /**
   * Where the sampler keeps its KV cache between decode steps (kv-cache.ts). Default: on the host
   * for the CPU (inputs are read in place there), on the device for webgpu (sending the cache to
   * the GPU on every step was 21 GiB per iteration of the GPU-sized model).
   */
  kvCache?: KvCacheAt;
  /**
   * The update's micro-batch: at most this many padded tokens (rows x longest row) per graph call,
   * the slices' gradients put back together on the host (batch-slices.ts). Default: CPU_MICRO_BATCH_TOKENS
   * on the CPU, the whole batch on a GPU (Infinity: always the whole batch).
   */
  microBatchTokens?: number;
}

/**
 * On the CPU the update runs in slices of about this many tokens: a (tokens x 4 width) activation of
 * the default model then stays within a few MB of cache, where the whole batch's streamed through
 * memory op by op. `npm run bench:engine -- --micro-batch-tokens N` on 2 cores: 2,048, 4,096 and
 * 8,192 alike within the machine's noise, each 10-20% faster than one call over the 21,504 tokens of
 * a default iteration (README, "Benchmarks"); on real rollouts of a shipped model, sorted by length,
 * 3,072-8,192 within 4% of each other with two threads (2,048 14% slower), 2,048-4,096 within 3% on one.
 */
export const CPU_MICRO_BATCH_TOKENS = 4096;

/** The update's micro-batch on a device unless PolicyOptions.microBatchTokens says otherwise: a GPU takes the whole batch. */
export function microBatchTokensFor(device: Device | undefined, chosen?: number): number {
  return chosen ?? (device === "webgpu" ? Infinity : CPU_MICRO_BATCH_TOKENS);
}

export interface SampleOptions {
  temperature: number;
  topP: number;
  maxNewTokens: number;
  rng: UniformSource;
  /** Keep generating after EOS (benchmarks: every row then does the same amount of work). */
  ignoreEos?: boolean;
}

export interface TokenScores {
  logprob: Float32Array;
  entropy: Float32Array;
  selfCertainty: Float32Array;
}

export interface CeResult {
  grads: Params;
  loss: number;
  gradNorm: number;
}

export type GraphKind = "logits" | "scorer" | "grpo" | "ce" | "prefill" | "decode" | "prefill.device" | "decode.device" | "upload";
type Feeds = Record<string, ortTypes.Tensor>;

export class Policy {
  private readonly sessions = new Map<GraphKind, Promise<ortTypes.InferenceSession>>();
  readonly dtype: "float32" | "float64";
  readonly kvCacheAt: KvCacheAt;
  private readonly microBatchTokens: number;

  constructor(readonly config: ModelConfig, readonly options: PolicyOptions = {}) {
    this.dtype = options.dtype ?? "float32";
    this.kvCacheAt = options.kvCache ?? (options.device === "webgpu" ? "device" : "host");
    this.microBatchTokens = microBatchTokensFor(options.device, options.microBatchTokens);
  }

  private build(kind: GraphKind): Graph {
    const c = this.config, f = this.dtype;
    switch (kind) {
      case "logits": return buildLogitsGraph(c, f);
      case "scorer": return buildScorerGraph(c, f);
      case "grpo": return buildGrpoGraph(c, f);
      case "ce": return buildCeGraph(c, f);
      case "prefill": return buildSamplerGraph(c, false, f);
      case "decode": return buildSamplerGraph(c, true, f);
      case "prefill.device": return buildSamplerGraph(c, false, f, "device");
      case "decode.device": return buildSamplerGraph(c, true, f, "device");
      case "upload": return buildUploadGraph(c, f);
    }
  }

  /** Outputs that stay on the device between calls: the device cache and the uploaded weights. */
  private static keptOnDevice(kind: GraphKind, output: string): boolean {
    return kind === "upload" || ((kind === "prefill.device" || kind === "decode.device") && output.startsWith("cache."));
  }

  /** The session for a graph, built on first use and kept for every later call. */
  session(kind: GraphKind): Promise<ortTypes.InferenceSession> {
    let s = this.sessions.get(kind);
    if (!s) {
      const graph = this.build(kind);
      const kept = graph.outputs.map((t) => t.name).filter((name) => Policy.keptOnDevice(kind, name));
      const { device, threads, spinning, logSeverity } = this.options;
      s = createSession(graph.toModelBytes(), { device, threads, spinning, logSeverity, keptOnDevice: kept });
      this.sessions.set(kind, s);
      // A failed creation (e.g. no GPU adapter) is not cached: the next call tries again.
      s.catch(() => this.sessions.delete(kind));
    }
    return s;
  }

  private floats(data: ArrayLike<number>, dims: number[]): ortTypes.Tensor {
    if (this.dtype === "float32") return new ort.Tensor("float32", data instanceof Float32Array ? data : Float32Array.from(data), dims);
    return new ort.Tensor("float64", data instanceof Float64Array ? data : Float64Array.from(data), dims);
  }

  private scalar(v: number): ortTypes.Tensor {
    return this.floats([v], []);
  }

  private weightFeeds(params: Params): Feeds {
    const feeds: Feeds = {};
    for (const [name, dims] of paramShapes(this.config)) {
      const w = params.get(name);
      if (!w) throw new Error(`missing parameter ${name}`);
      if (w.length !== dims.reduce((a, b) => a * b, 1)) throw new Error(`parameter ${name} has ${w.length} values, wants [${dims}]`);
      feeds[name] = this.floats(w, dims);
    }
    return feeds;
  }

  private gradsOf(out: Feeds): Params {
    const grads: Params = new Map();
    for (const [name] of paramShapes(this.config)) {
      const d = out[`grad.${name}`].data as Float32Array | Float64Array;
      grads.set(name, d instanceof Float32Array ? d : Float32Array.from(d));
    }
    return grads;
  }

  /**
   * Right-padded tokens (B, T) and next-token targets, as int64 tensors. Positions with no next
   * token get EOS as their (masked) target: a token of the sampler's support, so its log-prob is
   * finite and a masked term never becomes inf * 0.
   */
  private padded(rows: ArrayLike<number>[]): { T: number; tokens: ortTypes.Tensor; targets: ortTypes.Tensor } {
    const B = rows.length;
    const T = Math.max(2, ...rows.map((r) => r.length));
    if (T > this.config.context) throw new Error(`sequence of ${T} tokens exceeds context ${this.config.context}`);
    const tok = new BigInt64Array(B * T), tgt = new BigInt64Array(B * T).fill(BigInt(EOS));
    rows.forEach((r, b) => {
      for (let t = 0; t < r.length; t++) {
        tok[b * T + t] = BigInt(r[t]);
        if (t > 0) tgt[b * T + t - 1] = BigInt(r[t]);
      }
    });
    return { T, tokens: new ort.Tensor("int64", tok, [B, T]), targets: new ort.Tensor("int64", tgt, [B, T]) };
  }

  /** Token-aligned rows -> (B, T) floats at prediction positions (value of token t lands at t-1). */
  private shifted(rows: ArrayLike<number>[], lens: number[], T: number): ortTypes.Tensor {
    const a = this.dtype === "float32" ? new Float32Array(rows.length * T) : new Float64Array(rows.length * T);
    rows.forEach((r, b) => {
      for (let t = 1; t < lens[b]; t++) a[b * T + t - 1] = r[t];
    });
    return this.floats(a, [rows.length, T]);
  }

  /** Full-forward logits (B, T, V), row-major; PAD-padded rows allowed. */
  async logits(params: Params, tokens: ArrayLike<number>[]): Promise<Float32Array | Float64Array> {
    const s = await this.session("logits");
    const { tokens: tok } = this.padded(tokens);
    const out = await s.run({ ...this.weightFeeds(params), tokens: tok });
    return out.logits.data as Float32Array | Float64Array;
  }

  /**
   * Per-token log-prob, entropy and self-certainty of each sequence's tokens from responseStart on,
   * under softmax(logits / temperature) over the sampler's support (graphs.ts policyStats).
   */
  async score(params: Params, sequences: ArrayLike<number>[], responseStart: number[], temperature = 1): Promise<TokenScores[]> {
    if (sequences.length === 0) return [];
    const s = await this.session("scorer");
    const { T, tokens, targets } = this.padded(sequences);
    const out = await s.run({ ...this.weightFeeds(params), tokens, targets, temperature: this.scalar(temperature) });
    const [lp, ent, sc] = ["logprob", "entropy", "selfCertainty"].map((k) => out[k].data as Float32Array | Float64Array);
    return sequences.map((seq, b) => {
      const start = responseStart[b];
      if (start < 1) throw new Error("responseStart must be >= 1 (token 0 is BOS)");
      const n = Math.max(seq.length - start, 0);
      const pick = (a: Float32Array | Float64Array) => Float32Array.from(a.subarray(b * T + start - 1, b * T + start - 1 + n));
      return { logprob: pick(lp), entropy: pick(ent), selfCertainty: pick(sc) };
    });
  }

  /**
   * The GRPO update over a batch. When it exceeds `microBatchTokens` (see PolicyOptions), its rows
   * go shortest first into micro-batches, so each pads to its own longest row (batch-slices.ts).
   */
  async grpoStep(params: Params, batch: GrpoBatch, o: GrpoOptions): Promise<GrpoResult> {
    const s = await this.session("grpo");
    const weights = this.weightFeeds(params);
    const parts = microBatches(batch.tokens.map((r) => r.length), this.microBatchTokens);
    if (parts.length <= 1) return this.grpoCall(s, weights, batch, o);
    const sorted = byLength(batch);
    const results: GrpoResult[] = [];
    // Clipping needs the whole batch's norm: the slices' gradients come back unclipped.
    for (const part of parts) results.push(await this.grpoCall(s, weights, sliceBatch(sorted, part), { ...o, maxGradNorm: Infinity }));
    return mergeSlices(this.config, results, parts.map((part) => responseTokens(sorted.responseMask, part)), o.maxGradNorm);
  }

  private async grpoCall(s: ortTypes.InferenceSession, weights: Feeds, batch: GrpoBatch, o: GrpoOptions): Promise<GrpoResult> {
    const lens = batch.tokens.map((r) => r.length);
    const { T, tokens, targets } = this.padded(batch.tokens);
    const out = await s.run({
      ...weights,
      tokens,
      targets,
      mask: this.shifted(batch.responseMask, lens, T),
      oldLogprobs: this.shifted(batch.oldLogprobs, lens, T),
      refLogprobs: this.shifted(batch.refLogprobs, lens, T),
      advantages: this.floats(batch.advantages, [batch.tokens.length]),
      clipEps: this.scalar(o.clipEps),
      klCoef: this.scalar(o.klCoef),
      maxGradNorm: this.scalar(o.maxGradNorm),
      temperature: this.scalar(o.temperature),
    });
    const num = (k: string) => Number((out[k].data as Float32Array)[0]);
    return {
      grads: this.gradsOf(out),
      loss: num("loss"), pgLoss: num("pgLoss"), kl: num("kl"), clipFrac: num("clipFrac"), entropy: num("entropy"), gradNorm: num("gradNorm"),
    };
  }

  async ceStep(params: Params, tokens: ArrayLike<number>[], lossMask: ArrayLike<number>[], o: { maxGradNorm?: number } = {}): Promise<CeResult> {
    const s = await this.session("ce");
    const lens = tokens.map((r) => r.length);
    const { T, tokens: tok, targets } = this.padded(tokens);
    const out = await s.run({
      ...this.weightFeeds(params),
      tokens: tok,
      targets,
      mask: this.shifted(lossMask, lens, T),
      maxGradNorm: this.scalar(o.maxGradNorm ?? Infinity),
    });
    return { grads: this.gradsOf(out), loss: Number((out.loss.data as Float32Array)[0]), gradNorm: Number((out.gradNorm.data as Float32Array)[0]) };
  }

  /**
   * Batched KV-cache sampling. Returns, per prompt, the response tokens (EOS included when emitted)
   * and, for each drawn token, its log-prob, entropy and self-certainty under the distribution it
   * was drawn from (what `score` at the same temperature computes, read off the sampler's own
   * logits, so training needs no separate scoring pass); `logits` collects each step's (B, V)
   * logits when `trace` is set (tests compare them with the full forward).
   */
  async sample(params: Params, prompts: ArrayLike<number>[], o: SampleOptions, trace?: { logits: Array<Float32Array | Float64Array> }): Promise<{ tokens: number[][]; scores: TokenScores[] }> {
    if (prompts.length === 0) return { tokens: [], scores: [] };
    const onDevice = this.kvCacheAt === "device";
    const [prefill, decode] = await Promise.all([this.session(onDevice ? "prefill.device" : "prefill"), this.session(onDevice ? "decode.device" : "decode")]);
    const B = prompts.length, V = this.config.vocabSize, ctx = this.config.context;
    const lens = prompts.map((p) => p.length);
    const Pm = Math.max(...lens);
    if (Pm > ctx) throw new Error(`prompt of ${Pm} tokens exceeds context ${ctx}`);
    if (lens.some((l) => l < 1)) throw new Error("empty prompt (it must at least hold BOS)");
    if (o.maxNewTokens < 1) return { tokens: prompts.map(() => []), scores: prompts.map(() => emptyScores()) };
    const tok = new BigInt64Array(B * Pm), pos = new BigInt64Array(B * Pm);
    const pmask = new Uint8Array(B * Pm);
    prompts.forEach((p, b) => {
      const pad = Pm - p.length;
      for (let t = 0; t < p.length; t++) {
        tok[b * Pm + pad + t] = BigInt(p[t]);
        pos[b * Pm + pad + t] = BigInt(t);
        pmask[b * Pm + pad + t] = 1;
      }
    });
    const shape = { rows: B, heads: this.config.heads, headSize: this.config.width / this.config.heads, depth: this.config.depth, dtype: this.dtype };
    const cache: KvCache = onDevice ? new DeviceKvCache(shape) : new HostKvCache(shape, o.maxNewTokens);
    // With the cache on the device the weights go there once per call too, not once per step.
    const w = onDevice ? await this.uploadWeights(params) : this.weightFeeds(params);
    try {
      let out = await prefill.run({
        ...w,
        tokens: new ort.Tensor("int64", tok, [B, Pm]),
        positions: new ort.Tensor("int64", pos, [B, Pm]),
        keyMask: new ort.Tensor("bool", pmask, [B, Pm]),
      });
      cache.fromPrefill(out, pmask, Pm);
      const responses: number[][] = prompts.map(() => []);
      // Row b's statistics at b * maxNew + j for its j-th token.
      const maxNew = o.maxNewTokens;
      const lp = new Float32Array(B * maxNew), ent = new Float32Array(B * maxNew), sc = new Float32Array(B * maxNew);
      const drawer = new TokenDrawer(V);
      const drawn: DrawnToken = { token: 0, logprob: 0, entropy: 0, selfCertainty: 0 };
      // rows[i] = the prompt index of batch row i; finished rows are dropped from the batch (and
      // their cache rows with them) once a quarter of it is done, so long tails decode cheaply.
      let rows = prompts.map((_, b) => b);
      const next = new BigInt64Array(B), npos = new BigInt64Array(B);
      for (let step = 0; ; step++) {
        const n = rows.length;
        const logits = out.logits.data as Float32Array | Float64Array;
        if (trace) {
          const full = new (logits.constructor as Float32ArrayConstructor)(B * V).fill(NaN);
          rows.forEach((b, i) => full.set(logits.subarray(i * V, (i + 1) * V), b * V));
          trace.logits.push(full);
        }
        const alive: number[] = [];
        for (let i = 0; i < n; i++) {
          const b = rows[i];
          if (responses[b].length > 0 && this.finished(responses[b], lens[b], o.maxNewTokens, o.ignoreEos)) continue;
          drawer.draw(logits, i * V, o.temperature, o.topP, o.rng, drawn);
          const t = drawn.token, at = b * maxNew + responses[b].length;
          responses[b].push(t);
          lp[at] = drawn.logprob;
          ent[at] = drawn.entropy;
          sc[at] = drawn.selfCertainty;
          next[i] = BigInt(t);
          npos[i] = BigInt(lens[b] + step);
          if (!this.finished(responses[b], lens[b], o.maxNewTokens, o.ignoreEos)) alive.push(i);
        }
        if (alive.length === 0) break;
        const keep = alive.length <= (3 * n) / 4 ? alive : null;
        const tk = keep ? BigInt64Array.from(keep, (i) => next[i]) : next.slice(0, n);
        const ps = keep ? BigInt64Array.from(keep, (i) => npos[i]) : npos.slice(0, n);
        if (keep) rows = keep.map((i) => rows[i]);
        out = await decode.run({
          ...w,
          ...cache.decodeFeeds(keep),
          tokens: new ort.Tensor("int64", tk, [tk.length, 1]),
          positions: new ort.Tensor("int64", ps, [ps.length, 1]),
        });
        cache.fromDecode(out);
      }
      const scores = responses.map((r, b) => {
        const row = (a: Float32Array) => a.subarray(b * maxNew, b * maxNew + r.length);
        return { logprob: row(lp), entropy: row(ent), selfCertainty: row(sc) };
      });
      return { tokens: responses, scores };
    } finally {
      cache.release();
      if (onDevice) for (const t of Object.values(w)) t.dispose();
    }
  }

  /** The weights as tensors on the device (GPU buffers under WebGPU), from one upload call. */
  private async uploadWeights(params: Params): Promise<Feeds> {
    const out = await (await this.session("upload")).run(this.weightFeeds(params));
    const w: Feeds = {};
    for (const [name] of paramShapes(this.config)) w[name] = out[`device.${name}`];
    return w;
  }

  private finished(resp: number[], promptLen: number, maxNew: number, ignoreEos = false): boolean {
    return (!ignoreEos && resp[resp.length - 1] === EOS) || resp.length >= maxNew || promptLen + resp.length >= this.config.context;
  }

  async release(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((s) => s.then((x) => x.release(), () => undefined)));
  }
}

const emptyScores = (): TokenScores => ({ logprob: new Float32Array(0), entropy: new Float32Array(0), selfCertainty: new Float32Array(0) });

export async function createPolicySession(config: ModelConfig, options: PolicyOptions = {}): Promise<Policy> {
  paramShapes(config); // validates the config early
  return new Policy(config, options);
}
