// `npm run train -- --reward majority_vote --steps 200 --out run.jsonl`: one training run without a
// database. Writes one JSON line per step ({"step", "metrics"}) to --out (or stdout), progress to
// stderr, and checkpoints to --checkpoint FILE (resumed with --resume FILE).
import { createWriteStream, readFileSync, writeFileSync, renameSync } from "node:fs";
import { METRICS } from "../metrics/metric-names";
import { decodeCheckpoint } from "../train/checkpoint";
import { trainConfigSchema } from "../train/config";
import { fileEvalCache } from "../train/eval-cache";
import { resolveModelDir } from "../train/model-dir";
import { train } from "../train/train";
import { describeFlags, parseCommandLine, runCommand } from "./args";
import { ProgressLine } from "./progress";

const USAGE = `usage: npm run train -- [flags]

Trains a base model with GRPO and one reward method; no database needed.

  --out FILE         JSON lines, one per step (default: stdout)
  --checkpoint FILE  keep the newest checkpoint here
  --resume FILE      continue from a checkpoint written by --checkpoint (same flags)
  --quiet            no progress lines
${describeFlags(trainConfigSchema)}`;

async function main(argv: string[]): Promise<void> {
  const { values: config, extra, help } = parseCommandLine(argv, trainConfigSchema, {
    out: "string", checkpoint: "string", resume: "string", quiet: "boolean",
  });
  if (help) return void console.log(USAGE);
  // The command line names a model (a shipped one's name or a folder); the engine takes its folder.
  const modelDir = resolveModelDir(config.model);
  const resume = typeof extra.resume === "string" ? readFileSync(extra.resume) : undefined;
  const sink = typeof extra.out === "string" ? createWriteStream(extra.out, { flags: resume ? "a" : "w" }) : process.stdout;
  const progress = new ProgressLine(config.steps, resume ? decodeCheckpoint(resume).meta.step : 0);
  const abort = new AbortController();
  process.once("SIGINT", () => {
    process.stderr.write("stopping after this step (checkpoint first)...\n");
    abort.abort();
  });

  const result = await train(
    config,
    {
      signal: abort.signal,
      onStep: (r) => {
        sink.write(`${JSON.stringify({ step: r.step, metrics: r.metrics })}\n`);
        if (!extra.quiet && r.step > 0) {
          const m = r.metrics;
          progress.update(r.step, {
            reward_acc: m[METRICS.rewardAccuracy],
            gt_reward: m[METRICS.groundTruthReward],
            proxy: m[METRICS.proxyReward],
            entropy: m[METRICS.entropy],
            len: m[METRICS.lengthMean],
            val_acc: m[METRICS.valAccuracy],
          });
        } else if (!extra.quiet) {
          const m = r.metrics;
          process.stderr.write(
            `initial validation accuracy ${m0(m[METRICS.valAccuracy])} ± ${m0(m[METRICS.valAccuracySe])} ` +
              `(avg@${config.valK}, ${m[METRICS.valPrompts]} prompts; greedy ${m0(m[METRICS.valGreedyAccuracy])})\n`,
          );
        }
      },
      evalCache: fileEvalCache(),
      onCheckpoint: typeof extra.checkpoint === "string"
        ? (_step, data) => {
            const file = extra.checkpoint as string;
            writeFileSync(`${file}.tmp`, data);
            renameSync(`${file}.tmp`, file);
          }
        : undefined,
      onLog: (line) => process.stderr.write(`${line}\n`),
    },
    resume,
    modelDir,
  );
  if (sink !== process.stdout) await new Promise<void>((r) => (sink as NodeJS.WritableStream).end(r));
  process.stderr.write(result.stopped ? `stopped at step ${result.lastStep}\n` : `done: ${result.lastStep} steps\n`);
}

const m0 = (v: number | undefined) => (v === undefined ? "n/a" : v.toFixed(3));

runCommand(() => main(process.argv.slice(2)), { prefix: "train:", failureExit: 2 });
