// The command-line flags of the GPU check's timed runs, from one definition (GPU_SIZED in
// runner/engine/device/transfers.ts), so our engine and PyTorch time exactly the same work.
//   tsx scripts/gpu/shape.ts bench|torch [--dry-run]
// --dry-run: a small shape for proving the script's plumbing on a CPU machine in seconds.
import { GPU_SIZED } from "../../runner/engine/device/transfers";

const [which, flag] = process.argv.slice(2);
const dry = flag === "--dry-run";
const m = dry ? { ...GPU_SIZED.model, width: 64, depth: 2, heads: 4 } : GPU_SIZED.model;
const prompts = dry ? 4 : GPU_SIZED.rollouts / 8;
// Few iterations: the GPU-sized run takes about 100 s per iteration on one core of this project's
// machine, so 1 warm-up + 2 timed iterations stay well inside one 10-minute call on 16 cores.
const common = [
  "--context", m.context, "--width", m.width, "--depth", m.depth, "--heads", m.heads,
  "--prompts", prompts, "--group", 8, "--prompt-length", GPU_SIZED.promptLength, "--new-tokens", GPU_SIZED.newTokens,
  "--warmup", 1, "--iterations", 2,
];
if (which === "bench") console.log(common.join(" "));
else if (which === "torch") console.log(["--vocab", m.vocabSize, ...common].join(" "));
else {
  console.error("usage: tsx scripts/gpu/shape.ts bench|torch [--dry-run]");
  process.exit(2);
}
