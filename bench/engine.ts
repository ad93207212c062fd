// `npm run bench:engine`: one full URLVR iteration of the default model (64 prompts x 8 rollouts:
// KV-cache sampling that keeps each drawn token's log-prob, the reference scoring pass, GRPO update
// with AdamW) in this engine (runner/engine/train/iteration-timing.ts, which says what is counted),
// and the same iteration in PyTorch on the CPU (torch_iteration.py), measured in the same run on the
// same machine, counted the same way on both sides.
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

const FLAGS = { ...ITERATION_FLAGS, "skip-torch": { type: "boolean", default: false } } as const;
const { values: a } = orUsageExit(() => parseFlags(process.argv.slice(2), FLAGS));
if (a.help) {
  console.log(`Usage: npm run bench:engine -- [flags]: the engine's iteration against PyTorch's on this CPU\n${describeOptions(FLAGS)}`);
  process.exit(0);
}
const setup = orUsageExit(() => iterationSetup(a));
const { model, prompts: P, group: G, promptLength: promptLen, newTokens } = setup;

function torch(): IterationTiming | string {
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

const rows: IterationTiming[] = [await timeIteration(setup)];
const baseline = a["skip-torch"] ? "skipped (--skip-torch)" : torch();
if (typeof baseline !== "string") rows.push(baseline);

for (const line of iterationTable(setup, rows)) console.log(line);
if (a.json) writeFileSync(a.json, iterationJson(setup, rows));
if (typeof baseline === "string") console.log(`PyTorch baseline: ${baseline}`);
else console.log(`speed-up over PyTorch: ${(baseline.seconds / rows[0]!.seconds).toFixed(2)}x (goal: at least 2x)`);
