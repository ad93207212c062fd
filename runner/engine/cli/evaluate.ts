// `npm run evaluate -- models/NAME [models/OTHER ...] [--k 64] [--threads N]`: recomputes the static
// evaluation of base models, as pretraining records it, and rewrites only manifest.json's
// `evaluation` (weights untouched). Progress and results go to stderr.
import { z } from "zod";
import { pretrainConfigSchema } from "../train/pretrain-config";
import { evaluateModelDir } from "../train/pretrain";
import { resolveModelDir } from "../train/model-dir";
import { describeStaticEvaluation } from "../train/static-eval";
import { describeFlags, parseCommandLine, runCommand, UsageError } from "./args";
import { formatDuration } from "./progress";

// Same bounds and defaults as pretraining's, so a model pretrained with defaults is reproduced.
const evaluateFlagsSchema = z
  .object({
    /** Samples per prompt: the headline k of pass@k / maj@k (pass@1 and pass@8 come with it). */
    k: pretrainConfigSchema.shape.evalK,
    /** Absent: the threads pretraining used (onnxruntime's results may depend on them). */
    threads: pretrainConfigSchema.shape.threads.unwrap().optional(),
  })
  .strict();

const USAGE = `usage: npm run evaluate -- MODEL [MODEL ...] [flags]

Recomputes the static evaluation of each base model (greedy accuracy, pass@1/8/k, maj@k, self-certainty
AUROC on the 256 held-out prompts pretraining uses, with the model's own seed) and rewrites only the
evaluation in its manifest.json. MODEL is a folder (models/NAME) or the name of a shipped model.
A model pretrained with --eval-k K is reproduced exactly with --k K. --threads defaults to the
threads its pretraining used (recorded in the manifest; 0 lets onnxruntime choose).

${describeFlags(evaluateFlagsSchema)}`;

async function main(argv: string[]): Promise<void> {
  const { values, positionals, help } = parseCommandLine(argv, evaluateFlagsSchema, {}, { positionals: true });
  if (help) return void console.log(USAGE);
  if (positionals.length === 0) throw new UsageError("name at least one model folder, e.g. models/arith-small");
  // Every folder is checked before the first (long) evaluation starts.
  const dirs = positionals.map((m) => ({ name: m, dir: resolveModelDir(m) }));
  for (const { name, dir } of dirs) {
    const start = performance.now();
    const manifest = await evaluateModelDir(dir, {
      k: values.k,
      threads: values.threads,
      onProgress: (done, total) => {
        const eta = ((performance.now() - start) / 1000 / done) * (total - done);
        process.stderr.write(`${name}: sampled ${done}/${total}  eta ${formatDuration(eta)}\n`);
      },
    });
    process.stderr.write(`${name}: ${describeStaticEvaluation(manifest.evaluation ?? {})}\n`);
  }
}

runCommand(() => main(process.argv.slice(2)), { prefix: "evaluate:", failureExit: 2 });
