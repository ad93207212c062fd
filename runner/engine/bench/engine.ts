// `npm run bench:engine`: one full URLVR iteration of the default model (64 prompts x 8 rollouts:
// KV-cache sampling that keeps each drawn token's log-prob, the reference scoring pass, GRPO update
// with AdamW) in this engine, and the same iteration in PyTorch on the CPU (torch_iteration.py),
// measured in the same run on the same machine. Both sample a fixed number of tokens (no stop at
// EOS) so they do the same work. With no KL loss (the default) training scores the reference only
// every KL_METRIC_EVERY steps, so an iteration's time counts that pass's share: sample + update +
// reference / KL_METRIC_EVERY, on both sides.
// `--device webgpu` runs our engine on onnxruntime's WebGPU provider, `--json FILE` writes the rows
// for scripts/gpu-check.sh, which times PyTorch on CUDA itself (torch_iteration.py --device cuda).
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { initParams } from "../model/init";
import type { ModelConfig, Params } from "../model/config";
import type { KvCacheAt } from "../model/graphs";
import { createPolicySession } from "../model/policy";
import { PolicyPool, type TrainingPolicy } from "../model/policy-pool";
import type { Device } from "../onnx/session";
import { DEVICES } from "../train/config";
import { AdamW } from "../optim/adamw";
import { KL_METRIC_EVERY } from "../train/train";
import { VOCAB_SIZE } from "../tasks/tokenizer";
import { Rng } from "../util/rng";

const { values: a } = parseArgs({
  options: {
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
    "skip-torch": { type: "boolean", default: false },
    /** onnxruntime intra-op threads for our engine; 0 (default): the engine's default (onnxruntime's choice, one per core). */
    threads: { type: "string", default: "0" },
    /** Worker threads splitting each batch (model/policy-pool.ts), one onnxruntime thread each unless --threads. */
    workers: { type: "string", default: "1" },
    /** Execution provider for our engine (the PyTorch baseline stays on the CPU here). */
    device: { type: "string", default: "cpu" },
    /** Where the sampler keeps its KV cache: host or device (default: the engine's choice for the device). */
    "kv-cache": { type: "string" },
    /** Also write the rows as JSON (scripts/gpu-check.sh builds its table from them). */
    json: { type: "string" },
  },
});
if (!(DEVICES as readonly string[]).includes(a.device!)) throw new Error(`--device must be one of ${DEVICES.join(", ")}`);
const device = a.device as Device;
if (a["kv-cache"] !== undefined && a["kv-cache"] !== "host" && a["kv-cache"] !== "device") throw new Error("--kv-cache must be host or device");
const kvCache = a["kv-cache"] as KvCacheAt | undefined;
const n = (k: keyof typeof a) => {
  const v = Number(a[k]);
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${k} must be a whole number`);
  return v;
};
const model: ModelConfig = { vocabSize: VOCAB_SIZE, context: n("context"), width: n("width"), depth: n("depth"), heads: n("heads") };
const P = n("prompts"), G = n("group"), promptLen = n("prompt-length"), newTokens = n("new-tokens");

interface Timing {
  impl: string;
  seconds: number;
  sample: number;
  score: number;
  update: number;
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

async function ours(): Promise<Timing> {
  const rng = new Rng(1, "bench");
  const params = initParams(model, rng);
  const reference: Params = new Map([...params].map(([k, v]) => [k, v.slice()]));
  const workers = Math.max(1, n("workers"));
  const policy: TrainingPolicy = workers > 1
    ? await PolicyPool.create(model, workers, { device, threads: n("threads") || 1, kvCache })
    : await createPolicySession(model, { device, threads: n("threads") || undefined, kvCache });
  const optimizer = new AdamW({ weightDecay: 0 });
  const prompts = Array.from({ length: P * G }, () => [1, ...Array.from({ length: promptLen }, () => 3 + rng.int(10))]);
  const runs: Timing[] = [];
  for (let it = 0; it < n("warmup") + n("iterations"); it++) {
    const t0 = performance.now();
    const { tokens, scores } = await policy.sample(params, prompts, { temperature: 1, topP: 1, maxNewTokens: newTokens, rng, ignoreEos: true });
    const t1 = performance.now();
    const seqs = prompts.map((p, i) => [...p, ...tokens[i]!]);
    const starts = prompts.map((p) => p.length);
    const refScores = await policy.score(reference, seqs, starts, 1);
    const t2 = performance.now();
    const aligned = (s: Float32Array, i: number) => {
      const row = new Float32Array(seqs[i]!.length);
      row.set(s, starts[i]);
      return row;
    };
    const r = await policy.grpoStep(
      params,
      {
        tokens: seqs,
        responseMask: seqs.map((s, i) => s.map((_, t) => (t >= starts[i]! ? 1 : 0))),
        oldLogprobs: scores.map((s, i) => aligned(s.logprob, i)),
        refLogprobs: refScores.map((s, i) => aligned(s.logprob, i)),
        advantages: Float32Array.from({ length: P * G }, () => rng.normal()),
      },
      { clipEps: 0.2, klCoef: 0.001, maxGradNorm: 1, temperature: 1 },
    );
    optimizer.update(params, r.grads, 1e-5);
    const t3 = performance.now();
    const [sample, score, update] = [(t1 - t0) / 1e3, (t2 - t1) / 1e3, (t3 - t2) / 1e3];
    if (it >= n("warmup")) {
      const how = [workers > 1 ? `${workers} workers` : "", n("threads") ? `${n("threads")} threads${workers > 1 ? " each" : ""}` : "", `KV cache on the ${policy.kvCacheAt}`];
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

function torch(): Timing | string {
  const dir = fileURLToPath(new URL(".", import.meta.url));
  const probe = spawnSync("/usr/bin/python3", ["-c", "import torch"], { encoding: "utf8" });
  if (probe.status !== 0) {
    return `PyTorch is not installed for /usr/bin/python3: run \`sudo bash ${dir}install-torch.sh\` (Debian's python3-torch and libopenblas0-pthread), then rerun`;
  }
  const out = spawnSync(
    "/usr/bin/python3",
    [
      `${dir}torch_iteration.py`,
      "--vocab", String(model.vocabSize), "--context", String(model.context), "--width", String(model.width),
      "--depth", String(model.depth), "--heads", String(model.heads), "--prompts", String(P), "--group", String(G),
      "--prompt-length", String(promptLen), "--new-tokens", String(newTokens),
      "--iterations", a.iterations!, "--warmup", a.warmup!,
    ],
    { encoding: "utf8", maxBuffer: 1 << 24 },
  );
  if (out.status !== 0) return `torch_iteration.py failed: ${out.stderr.trim().split("\n").slice(-3).join(" ")}`;
  const r = JSON.parse(out.stdout.trim().split("\n").pop()!);
  return {
    impl: `pytorch ${r.torch} (cpu, ${r.threads} threads)`,
    seconds: r.seconds_per_iteration,
    sample: r.sample_seconds,
    score: r.score_seconds,
    update: r.update_seconds,
  };
}

const rows: Timing[] = [await ours()];
const baseline = a["skip-torch"] ? "skipped (--skip-torch)" : torch();
if (typeof baseline !== "string") rows.push(baseline);

const trainTokens = P * G * (1 + promptLen + newTokens);
console.log(
  `URLVR iteration: ${P} prompts x ${G} rollouts, ${newTokens} new tokens each; model width ${model.width}, depth ${model.depth}, ` +
    `heads ${model.heads}, vocab ${model.vocabSize}; ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "cpu"})`,
);
console.log(`| implementation | s / iteration | sample s | reference score s (1 in ${KL_METRIC_EVERY} iterations) | update s | tokens/s |`);
console.log("| --- | --- | --- | --- | --- | --- |");
for (const r of rows) {
  const tps = (P * G * newTokens + (1 + 1 / KL_METRIC_EVERY) * trainTokens) / r.seconds;
  console.log(`| ${r.impl} | ${r.seconds.toFixed(3)} | ${r.sample.toFixed(3)} | ${r.score.toFixed(3)} | ${r.update.toFixed(3)} | ${Math.round(tps).toLocaleString("en-US")} |`);
}
if (a.json) writeFileSync(a.json, `${JSON.stringify({ model, prompts: P, group: G, promptLength: promptLen, newTokens, device, rows }, null, 1)}\n`);
if (typeof baseline === "string") console.log(`PyTorch baseline: ${baseline}`);
else console.log(`speed-up over PyTorch: ${(baseline.seconds / rows[0]!.seconds).toFixed(2)}x (goal: at least 2x)`);
