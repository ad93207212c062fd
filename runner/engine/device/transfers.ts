// Bytes that cross between host memory and the device in one URLVR iteration, measured on the real
// graphs. The engine feeds weights as graph inputs on every call and keeps the KV cache on the host
// (PLATFORM.md: GPU-resident outputs crashed the process on the H100), so on a GPU every run copies
// its inputs in and its outputs out. Counted here on the CPU by wrapping each session's run: the
// feeds and fetches are the same whatever the device.
//
// With a fixed number of new tokens per rollout (no stop at EOS, as in bench:engine) the number of
// calls and the KV cache's capacity schedule do not depend on the batch, so the traffic is
// weights x calls plus a part proportional to the number of rollouts: measuring a small batch
// gives the GPU-sized one exactly.
import type * as ortTypes from "onnxruntime-node";
import { BOS, type ModelConfig, type Params } from "../model/config";
import { initParams } from "../model/init";
import type { KvCacheAt } from "../model/graphs";
import { createPolicySession, type GraphKind, type Policy } from "../model/policy";
import { VOCAB_SIZE } from "../tasks/tokenizer";
import { Rng } from "../util/rng";

/**
 * The model scripts/gpu-check.sh times on the GPU machine: 256 prompts x 8 rollouts, 9 prompt
 * characters and 32 new tokens, like bench:engine's default run scaled up (about 4.8M parameters).
 */
export const GPU_SIZED = {
  model: { vocabSize: VOCAB_SIZE, context: 64, width: 256, depth: 6, heads: 8 } as ModelConfig,
  rollouts: 256 * 8,
  promptLength: 9,
  newTokens: 32,
};

export interface Traffic {
  calls: number;
  weightsIn: number;
  kvCacheIn: number;
  otherIn: number;
  gradsOut: number;
  otherOut: number;
}

export interface IterationTraffic {
  byGraph: Partial<Record<GraphKind, Traffic>>;
  total: Traffic;
}

const ZERO = (): Traffic => ({ calls: 0, weightsIn: 0, kvCacheIn: 0, otherIn: 0, gradsOut: 0, otherOut: 0 });
const bytes = (t: ortTypes.Tensor) => (t.data as ArrayBufferView).byteLength;

/**
 * Counts every byte `policy`'s sessions take in and give out, by graph, from now on. With the KV
 * cache on the device, what the sampler graphs keep there (the uploaded weights, `past.*` in and
 * `cache.*` out) never crosses, so it is not counted.
 */
function count(policy: Policy, weightNames: Set<string>, into: IterationTraffic["byGraph"]): Promise<void> {
  const onDevice = policy.kvCacheAt === "device";
  const kinds: GraphKind[] = onDevice ? ["upload", "prefill.device", "decode.device", "scorer", "grpo"] : ["prefill", "decode", "scorer", "grpo"];
  return Promise.all(kinds.map(async (kind) => {
    const s = await policy.session(kind);
    const run = s.run.bind(s) as (feeds: Record<string, ortTypes.Tensor>) => Promise<Record<string, ortTypes.Tensor>>;
    const t = (into[kind] = ZERO());
    const sampler = kind.endsWith(".device");
    (s as { run: typeof run }).run = async (feeds) => {
      t.calls++;
      for (const [name, v] of Object.entries(feeds)) {
        if (sampler && (weightNames.has(name) || name.startsWith("past."))) continue;
        if (weightNames.has(name)) t.weightsIn += bytes(v);
        else if (name.startsWith("cache.")) t.kvCacheIn += bytes(v);
        else t.otherIn += bytes(v);
      }
      const out = await run(feeds);
      for (const [name, v] of Object.entries(out)) {
        if (kind === "upload" || (sampler && name.startsWith("cache."))) continue;
        if (name.startsWith("grad.")) t.gradsOut += bytes(v);
        else t.otherOut += bytes(v);
      }
      return out;
    };
  })).then(() => undefined);
}

export interface IterationShape {
  model: ModelConfig;
  /** Where the sampler keeps its KV cache (default: the host, as on the CPU). */
  kvCache?: KvCacheAt;
  rollouts: number;
  /** Prompt characters after BOS. */
  promptLength: number;
  newTokens: number;
}

/**
 * One URLVR iteration as bench:engine runs it, counted: sampling (which keeps each drawn token's
 * log-prob, so the policy is never scored again), a reference scoring pass (each step with a KL
 * loss, every tenth without one) and the GRPO step.
 */
export async function measureTraffic(shape: IterationShape): Promise<IterationTraffic> {
  const { model, rollouts, promptLength, newTokens } = shape;
  const rng = new Rng(1, "transfers");
  const params: Params = initParams(model, rng);
  const policy = await createPolicySession(model, { threads: 1, kvCache: shape.kvCache ?? "host" });
  const byGraph: IterationTraffic["byGraph"] = {};
  try {
    await count(policy, new Set(params.keys()), byGraph);
    const prompts = Array.from({ length: rollouts }, () => [BOS, ...Array.from({ length: promptLength }, () => 3 + rng.int(10))]);
    const { tokens, scores } = await policy.sample(params, prompts, { temperature: 1, topP: 1, maxNewTokens: newTokens, rng, ignoreEos: true });
    const seqs = prompts.map((p, i) => [...p, ...tokens[i]!]);
    const starts = prompts.map((p) => p.length);
    await policy.score(params, seqs, starts, 1); // the reference pass
    const lp = scores.map((s, i) => {
      const row = new Float32Array(seqs[i]!.length);
      row.set(s.logprob, starts[i]);
      return row;
    });
    await policy.grpoStep(params, {
      tokens: seqs,
      responseMask: seqs.map((s, i) => s.map((_, t) => (t >= starts[i]! ? 1 : 0))),
      oldLogprobs: lp, refLogprobs: lp, advantages: seqs.map((_, i) => (i % 2 ? 1 : -1)),
    }, { clipEps: 0.2, klCoef: 0.001, maxGradNorm: 1, temperature: 1 });
  } finally {
    await policy.release();
  }
  const total = ZERO();
  for (const t of Object.values(byGraph)) for (const k of Object.keys(total) as Array<keyof Traffic>) total[k] += t[k];
  return { byGraph, total };
}

/**
 * The traffic of `shape` from measurements at two smaller batches: each field is a + b x rollouts
 * (weights and call counts are the constant part). Exact when the model and token counts match.
 */
export async function extrapolateTraffic(shape: IterationShape, small = [4, 8]): Promise<IterationTraffic> {
  const [n1, n2] = small as [number, number];
  const [m1, m2] = [await measureTraffic({ ...shape, rollouts: n1 }), await measureTraffic({ ...shape, rollouts: n2 })];
  const line = (a: Traffic, b: Traffic): Traffic => {
    const out = ZERO();
    for (const k of Object.keys(out) as Array<keyof Traffic>) out[k] = a[k] + ((b[k] - a[k]) / (n2 - n1)) * (shape.rollouts - n1);
    return out;
  };
  const byGraph: IterationTraffic["byGraph"] = {};
  for (const k of Object.keys(m1.byGraph) as GraphKind[]) byGraph[k] = line(m1.byGraph[k]!, m2.byGraph[k]!);
  return { byGraph, total: line(m1.total, m2.total) };
}

const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

export function formatTraffic(shape: IterationShape, t: IterationTraffic): string[] {
  const m = shape.model;
  const lines = [
    `host<->device traffic of one URLVR iteration (width ${m.width}, depth ${m.depth}, ${shape.rollouts} rollouts, ${shape.newTokens} new tokens, KV cache on the ${shape.kvCache ?? "host"}):`,
    "| graph | calls | weights in | KV cache in | other in | gradients out | other out |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  const row = (name: string, x: Traffic) => `| ${name} | ${x.calls} | ${mb(x.weightsIn)} | ${mb(x.kvCacheIn)} | ${mb(x.otherIn)} | ${mb(x.gradsOut)} | ${mb(x.otherOut)} |`;
  for (const [k, x] of Object.entries(t.byGraph)) lines.push(row(k, x));
  lines.push(row("total", t.total));
  const all = t.total.weightsIn + t.total.kvCacheIn + t.total.otherIn + t.total.gradsOut + t.total.otherOut;
  lines.push(`total ${mb(all)} per iteration`);
  return lines;
}
