// One URLVR iteration of this engine, timed: KV-cache sampling that keeps each drawn token's log-prob,
// the reference scoring pass and the GRPO update with AdamW, on random weights. It samples a fixed
// number of tokens (no stop at EOS) so every measurement does the same work. With no KL loss (the
// default) training scores the reference only every KL_METRIC_EVERY steps, so an iteration's time
// counts that pass's share: sample + update + reference / KL_METRIC_EVERY.
// It lives in the engine, not beside the benchmarks, because the runner's sizing measures the machine
// with it at start-up (cli/time-iteration.ts); bench/engine.ts puts PyTorch's mirror beside it.
import os from "node:os";
import { initParams } from "../model/init";
import type { ModelConfig, Params } from "../model/config";
import type { KvCacheAt } from "../model/graphs";
import { createPolicySession } from "../model/policy";
import { PolicyPool, type TrainingPolicy } from "../model/policy-pool";
import type { Device } from "../onnx/session";
import { AdamW } from "../optim/adamw";
import { VOCAB_SIZE } from "../tasks/tokenizer";
import { Rng } from "../util/rng";
import { UsageError } from "../cli/args";
import { DEVICES } from "./config";
import { KL_METRIC_EVERY } from "./train";

/** The flags that shape the iteration (node:util parseArgs options); the defaults are the default model and batch. */
export const ITERATION_FLAGS = {
  width: { type: "string", default: "64" },
  depth: { type: "string", default: "2" },
  heads: { type: "string", default: "4" },
  context: { type: "string", default: "64" },
  prompts: { type: "string", default: "64" },
  group: { type: "string", default: "8" },
  "prompt-length": { type: "string", default: "9" },
  "new-tokens": { type: "string", default: "32" },
  iterations: { type: "string", default: "5" },
  warmup: { type: "string", default: "2" },
  /** onnxruntime intra-op threads; 0 (default): the engine's default (onnxruntime's choice, one per core). */
  threads: { type: "string", default: "0" },
  /** Worker threads splitting each batch (model/policy-pool.ts), one onnxruntime thread each unless --threads. */
  workers: { type: "string", default: "1" },
  /** The update's micro-batch in tokens (model/policy.ts PolicyOptions.microBatchTokens); default: the engine's; "all": one call over the batch. */
  "micro-batch-tokens": { type: "string" },
  /** Execution provider. */
  device: { type: "string", default: "cpu" },
  /** Where the sampler keeps its KV cache: host or device (default: the engine's choice for the device). */
  "kv-cache": { type: "string" },
  /** Also write the rows as JSON (the runner's sizing and scripts/gpu-check.sh read them). */
  json: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

export interface IterationSetup {
  model: ModelConfig;
  prompts: number;
  group: number;
  promptLength: number;
  newTokens: number;
  iterations: number;
  warmup: number;
  /** 0: the engine's default. */
  threads: number;
  workers: number;
  device: Device;
  kvCache: KvCacheAt | undefined;
  /** undefined: the engine's default. */
  microBatchTokens: number | undefined;
}

/** The setup from ITERATION_FLAGS' parsed values; throws a UsageError naming the bad flag. */
export function iterationSetup(a: Record<string, string | boolean | undefined>): IterationSetup {
  if (!(DEVICES as readonly unknown[]).includes(a.device)) throw new UsageError(`--device must be one of ${DEVICES.join(", ")}`);
  const kvCache = a["kv-cache"];
  if (kvCache !== undefined && kvCache !== "host" && kvCache !== "device") throw new UsageError("--kv-cache must be host or device");
  const n = (k: keyof typeof ITERATION_FLAGS) => {
    const v = Number(a[k]);
    if (!Number.isInteger(v) || v < 0) throw new UsageError(`--${k} must be a whole number`);
    return v;
  };
  const mb = a["micro-batch-tokens"];
  const microBatchTokens = mb === undefined ? undefined : mb === "all" ? Infinity : Number(mb);
  if (microBatchTokens !== undefined && !(microBatchTokens === Infinity || (Number.isInteger(microBatchTokens) && microBatchTokens > 0))) {
    throw new UsageError("--micro-batch-tokens must be a positive whole number or all");
  }
  return {
    model: { vocabSize: VOCAB_SIZE, context: n("context"), width: n("width"), depth: n("depth"), heads: n("heads") },
    prompts: n("prompts"),
    group: n("group"),
    promptLength: n("prompt-length"),
    newTokens: n("new-tokens"),
    iterations: n("iterations"),
    warmup: n("warmup"),
    threads: n("threads"),
    workers: n("workers"),
    device: a.device as Device,
    kvCache,
    microBatchTokens,
  };
}

export interface IterationTiming {
  impl: string;
  /** sample + score / KL_METRIC_EVERY + update, the median over the timed iterations (as each part). */
  seconds: number;
  sample: number;
  score: number;
  update: number;
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

/** `warmup` iterations, then the medians of `iterations` timed ones. */
export async function timeIteration(s: IterationSetup): Promise<IterationTiming> {
  const { model, prompts: P, group: G, promptLength: promptLen, newTokens, device, kvCache, microBatchTokens } = s;
  const rng = new Rng(1, "bench");
  const params = initParams(model, rng);
  const reference: Params = new Map([...params].map(([k, v]) => [k, v.slice()]));
  const workers = Math.max(1, s.workers);
  const policy: TrainingPolicy = workers > 1
    ? await PolicyPool.create(model, workers, { device, threads: s.threads || 1, kvCache, microBatchTokens })
    : await createPolicySession(model, { device, threads: s.threads || undefined, kvCache, microBatchTokens });
  const optimizer = new AdamW({ weightDecay: 0 });
  const prompts = Array.from({ length: P * G }, () => [1, ...Array.from({ length: promptLen }, () => 3 + rng.int(10))]);
  const runs: IterationTiming[] = [];
  for (let it = 0; it < s.warmup + s.iterations; it++) {
    const t0 = performance.now();
    const { tokens, scores } = await policy.sample(params, prompts, { temperature: 1, topP: 1, maxNewTokens: newTokens, rng, ignoreEos: true });
    const t1 = performance.now();
    const seqs = prompts.map((p, i) => [...p, ...tokens[i]!]);
    const starts = prompts.map((p) => p.length);
    const refScores = await policy.score(reference, seqs, starts, 1);
    const t2 = performance.now();
    const aligned = (sc: Float32Array, i: number) => {
      const row = new Float32Array(seqs[i]!.length);
      row.set(sc, starts[i]);
      return row;
    };
    const r = await policy.grpoStep(
      params,
      {
        tokens: seqs,
        responseMask: seqs.map((sq, i) => sq.map((_, t) => (t >= starts[i]! ? 1 : 0))),
        oldLogprobs: scores.map((sc, i) => aligned(sc.logprob, i)),
        refLogprobs: refScores.map((sc, i) => aligned(sc.logprob, i)),
        advantages: Float32Array.from({ length: P * G }, () => rng.normal()),
      },
      { clipEps: 0.2, klCoef: 0.001, maxGradNorm: 1, temperature: 1 },
    );
    optimizer.update(params, r.grads, 1e-5);
    const t3 = performance.now();
    const [sample, score, update] = [(t1 - t0) / 1e3, (t2 - t1) / 1e3, (t3 - t2) / 1e3];
    if (it >= s.warmup) {
      const how = [
        workers > 1 ? `${workers} workers` : "", s.threads ? `${s.threads} threads${workers > 1 ? " each" : ""}` : "", `KV cache on the ${policy.kvCacheAt}`,
        microBatchTokens === undefined ? "" : `update micro-batch ${microBatchTokens === Infinity ? "the whole batch" : `${microBatchTokens} tokens`}`,
      ];
      runs.push({ impl: `urlvr (onnxruntime-node ${device}, ${how.filter(Boolean).join(", ")})`, seconds: sample + score / KL_METRIC_EVERY + update, sample, score, update });
    }
  }
  await policy.release();
  return {
    impl: runs[0]!.impl,
    seconds: median(runs.map((r) => r.seconds)),
    sample: median(runs.map((r) => r.sample)),
    score: median(runs.map((r) => r.score)),
    update: median(runs.map((r) => r.update)),
  };
}

/** The printed table: a line naming the iteration and the machine, then one row per timing. */
export function iterationTable(s: IterationSetup, rows: IterationTiming[]): string[] {
  const { model, prompts: P, group: G, promptLength: promptLen, newTokens } = s;
  const trainTokens = P * G * (1 + promptLen + newTokens);
  const lines = [
    `URLVR iteration: ${P} prompts x ${G} rollouts, ${newTokens} new tokens each; model width ${model.width}, depth ${model.depth}, ` +
      `heads ${model.heads}, vocab ${model.vocabSize}; ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "cpu"})`,
    `| implementation | s / iteration | sample s | reference score s (1 in ${KL_METRIC_EVERY} iterations) | update s | tokens/s |`,
    "| --- | --- | --- | --- | --- | --- |",
  ];
  for (const r of rows) {
    const tps = (P * G * newTokens + (1 + 1 / KL_METRIC_EVERY) * trainTokens) / r.seconds;
    lines.push(`| ${r.impl} | ${r.seconds.toFixed(3)} | ${r.sample.toFixed(3)} | ${r.score.toFixed(3)} | ${r.update.toFixed(3)} | ${Math.round(tps).toLocaleString("en-US")} |`);
  }
  return lines;
}

/** The --json file's text. */
export function iterationJson(s: IterationSetup, rows: IterationTiming[]): string {
  return `${JSON.stringify({ model: s.model, prompts: s.prompts, group: s.group, promptLength: s.promptLength, newTokens: s.newTokens, device: s.device, rows }, null, 1)}\n`;
}
