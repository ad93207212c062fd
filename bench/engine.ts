// `npm run bench:engine`: one full URLVR iteration of the default model (64 prompts x 8 rollouts:
// KV-cache sampling that keeps each drawn token's log-prob, the reference scoring pass, GRPO update
// with AdamW) in this engine (runner/engine/train/iteration-timing.ts, which says what is counted),
// and the same iteration in PyTorch on the CPU (torch_iteration.py), measured in the same run on the
// same machine, counted the same way on both sides. PyTorch runs twice, its update over the whole
// batch and cut into the engine's micro-batches, and the ratio is against its faster run.
// `--device webgpu` runs our engine on onnxruntime's WebGPU provider, `--json FILE` writes the rows
// for scripts/gpu-check.sh, which times PyTorch on CUDA itself (torch_iteration.py --device cuda).
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describeOptions, orUsageExit, parseFlags } from "../runner/engine/cli/args";
import {
  ITERATION_FLAGS,
  iterationJson,
  iterationSetup,
  iterationTable,
  timeIteration,
  type IterationTiming,
} from "../runner/engine/train/iteration-timing";
import { microBatchTokensFor } from "../runner/engine/model/policy";

const FLAGS = { ...ITERATION_FLAGS, "skip-torch": { type: "boolean", default: false } } as const;
const { values: a } = orUsageExit(() => parseFlags(process.argv.slice(2), FLAGS));
if (a.help) {
  console.log(`Usage: npm run bench:engine -- [flags]: the engine's iteration against PyTorch's on this CPU\n${describeOptions(FLAGS)}`);
  process.exit(0);
}
const setup = orUsageExit(() => iterationSetup(a));
const { model, prompts: P, group: G, promptLength: promptLen, newTokens } = setup;

/** PyTorch's iteration; with microBatchTokens, its update cut into the engine's micro-batches. */
function torch(microBatchTokens?: number): IterationTiming | string {
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
      "--iterations", String(setup.iterations), "--warmup", String(setup.warmup),
      ...(microBatchTokens === undefined ? [] : ["--micro-batch-tokens", String(microBatchTokens)]),
    ],
    { encoding: "utf8", maxBuffer: 1 << 24 },
  );
  if (out.status !== 0) return `torch_iteration.py failed: ${out.stderr.trim().split("\n").slice(-3).join(" ")}`;
  const r = JSON.parse(out.stdout.trim().split("\n").pop()!);
  return {
    impl: `pytorch ${r.torch} (cpu, ${r.threads} threads${microBatchTokens === undefined ? "" : `, update micro-batch ${microBatchTokens} tokens`})`,
    seconds: r.seconds_per_iteration,
    sample: r.sample_seconds,
    score: r.score_seconds,
    update: r.update_seconds,
  };
}

// Cutting the update into micro-batches speeds PyTorch up too (gradient accumulation), so it is
// timed both ways and the engine is compared with its faster way.
const engineMicroBatch = microBatchTokensFor(setup.device, setup.microBatchTokens);
const rows: IterationTiming[] = [await timeIteration(setup)];
const whole = a["skip-torch"] ? "skipped (--skip-torch)" : torch();
const baselines = typeof whole === "string" || !Number.isFinite(engineMicroBatch) ? [whole] : [whole, torch(engineMicroBatch)];
const timed = baselines.filter((b): b is IterationTiming => typeof b !== "string");
rows.push(...timed);

for (const line of iterationTable(setup, rows)) console.log(line);
if (a.json) writeFileSync(a.json, iterationJson(setup, rows));
for (const b of baselines) if (typeof b === "string") console.log(`PyTorch baseline: ${b}`);
if (timed.length > 0) {
  const best = timed.reduce((x, y) => (y.seconds < x.seconds ? y : x));
  console.log(`speed-up over PyTorch: ${(best.seconds / rows[0]!.seconds).toFixed(2)}x against its faster row, ${best.impl} (goal: at least 2x)`);
}
