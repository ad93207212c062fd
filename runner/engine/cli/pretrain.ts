// `npm run pretrain -- --task arith --steps 1500 --width 64 --depth 2 --out models/NAME`: makes a
// base model from generated solved examples and writes its folder (weights.bin, manifest.json).
import { pretrainConfigSchema } from "../train/pretrain-config";
import { pretrain } from "../train/pretrain";
import { describeStaticEvaluation } from "../train/static-eval";
import { describeFlags, parseCommandLine, runCommand, UsageError } from "./args";
import { isNpmPreHookOf } from "./npm-hook";
import { ProgressLine } from "./progress";

const USAGE = `usage: npm run pretrain -- --out DIR [flags]

Pretrains a base model on generated solved examples and writes DIR/weights.bin and DIR/manifest.json.

  --out DIR   the model folder to write (required)
${describeFlags(pretrainConfigSchema)}`;

async function main(argv: string[]): Promise<void> {
  const { values, extra, help } = parseCommandLine(argv, pretrainConfigSchema, { out: "string" });
  if (help) return void console.log(USAGE);
  if (typeof extra.out !== "string") throw new UsageError("--out DIR is required");
  const progress = new ProgressLine(values.steps);
  const manifest = await pretrain(values, extra.out, {
    command: `npm run pretrain -- ${argv.map(shellQuote).join(" ")}`,
    onProgress: (p) => progress.update(p.step, { loss: p.loss }),
    onEvalProgress: (done, total) => process.stderr.write(`static evaluation: sampled ${done}/${total}\n`),
  });
  console.error(
    `wrote ${extra.out}: ${manifest.parameterCount} parameters, ${describeStaticEvaluation(manifest.evaluation ?? {})}, ` +
      `sha256 ${manifest.weights.sha256.slice(0, 12)}`,
  );
}

/** Quotes an argument only where a shell needs it, so the recorded command can be pasted back. */
function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

if (isNpmPreHookOf("train", process.argv.slice(2))) process.exit(0);

runCommand(() => main(process.argv.slice(2)), { prefix: "pretrain:", failureExit: 2 });
