// `npm run study [-- --quick | --pilot]`: the pre-registered study on the zoo (docs/study/PREREGISTRATION.md;
// study/plan.ts for the runs), then the report under docs/. Resumable: the same command continues
// where a stopped one ended.
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { parseCommandLine, runCommand } from "../runner/engine/cli/args";
import { readModelDir, type ModelManifest } from "../runner/engine/io/manifest";
import { resolveModelDir } from "../runner/engine/train/model-dir";
import { toError } from "../runner/engine/util/to-error";
import { prepareDatabase } from "../scripts/lib/database";
import { createPool } from "../server/db/pool";
import { createPrisma } from "../server/db/prisma";
import { experimentName, importStudy } from "./import";
import { makePlan } from "./plan";
import { writePilotReport, writeReport } from "./report";
import { ResultsFolder } from "./results";
import { runPlan } from "./run";
import type { MachineInfo, StudyPlan, StudyResults } from "./types";

const USAGE = `usage: npm run study -- [flags]

Runs the study's training runs (two at a time on two cores) and writes the report.

  --quick          a smoke version in minutes (3 models, 1 seed, 30 steps); its numbers are not findings
  --pilot          the learning-rate pilot only (ground_truth on the middle admitted model at each candidate
                   rate); its report says which rate the pre-registered rule chooses
  --results DIR    where runs, checkpoints and progress are kept (default .data/study/MODE)
  --out DIR        where the report goes (default docs/study, docs/study/pilot with --pilot, docs/study-quick with --quick)
  --fresh          discard earlier results in --results and start over
  --parallel N     runs at a time, one thread each (default: one per core)
  --steps N        steps per run (default: the pre-registered protocol's; quick 30)
  --report-only    write the report from finished results without training
  --import         also load the finished runs into the dashboard's database (DATABASE_URL) as one
                   experiment, so the leaderboard shows them`;

const positiveInt = z.number().int("must be a positive integer").min(1, "must be a positive integer").optional();

const studyFlagsSchema = z
  .object({
    quick: z.boolean().default(false),
    pilot: z.boolean().default(false),
    results: z.string().optional(),
    out: z.string().optional(),
    fresh: z.boolean().default(false),
    parallel: positiveInt,
    steps: positiveInt,
    reportOnly: z.boolean().default(false),
    import: z.boolean().default(false),
  })
  .strict()
  .refine((o) => !(o.quick && o.pilot), { message: "--quick and --pilot exclude each other" });

function machineInfo(): MachineInfo {
  const ortPackage = join(import.meta.dirname, "..", "node_modules", "onnxruntime-node", "package.json");
  return {
    cpu: os.cpus()[0]?.model.trim() ?? "unknown",
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    onnxruntime: existsSync(ortPackage) ? (JSON.parse(readFileSync(ortPackage, "utf8")) as { version: string }).version : "unknown",
  };
}

/** Every model the plan trains, loaded (checksums verified) before any run starts. */
function loadModels(plan: StudyPlan): Record<string, ModelManifest> {
  const names = [...new Set(plan.runs.map((r) => r.config.model))];
  const models: Record<string, ModelManifest> = {};
  for (const name of names) {
    try {
      models[name] = readModelDir(resolveModelDir(name)).manifest;
    } catch (e) {
      throw new Error(`${toError(e).message} (rebuild the zoo with npm run zoo)`);
    }
  }
  return models;
}

async function main(argv: string[]): Promise<void> {
  const { values, help } = parseCommandLine(argv, studyFlagsSchema);
  if (help) return void console.log(USAGE);
  const mode = values.quick ? "quick" : values.pilot ? "pilot" : "full";
  const plan = makePlan(mode, { steps: values.steps });
  const parallel = values.parallel ?? os.availableParallelism();
  const folder = new ResultsFolder(values.results ?? join(".data", "study", mode));
  const out = values.out ?? { full: join("docs", "study"), pilot: join("docs", "study", "pilot"), quick: join("docs", "study-quick") }[mode];
  const models = loadModels(plan);

  folder.open(plan, values.fresh);
  if (!values.reportOnly) {
    const steps = plan.runs.reduce((a, r) => a + r.config.steps, 0);
    console.error(`study (${mode}): ${plan.runs.length} runs, ${steps} steps, ${parallel} at a time; results in ${folder.dir}`);
    const abort = new AbortController();
    process.once("SIGINT", () => {
      console.error("stopping: each run checkpoints; run the same command to resume");
      abort.abort();
    });
    const summary = await runPlan(plan, folder, { parallel, signal: abort.signal, log: (l) => console.error(l), progressEvery: 50 });
    if (summary.stopped) {
      console.error(`stopped; ${summary.finished.length} runs finished in this invocation. Run the same command to resume.`);
      process.exitCode = 130;
      return;
    }
    if (summary.failed.length > 0) {
      for (const f of summary.failed) console.error(`failed: ${f.id}: ${f.message}`);
      throw new Error(`${summary.failed.length} run(s) failed; the report needs every run (run the same command to retry them)`);
    }
  }
  const runs = folder.finishedRuns(plan);
  const states = plan.runs.map((r) => folder.state(r.id)!);
  // ISO-8601 UTC strings sort in time order.
  const startedAt = states.map((s) => s.startedAt).sort()[0]!;
  const finishedAt = states.map((s) => s.finishedAt ?? s.startedAt).sort().at(-1)!;
  const results: StudyResults = {
    plan,
    runs,
    models,
    machine: machineInfo(),
    startedAt,
    finishedAt,
    wallSeconds: (Date.parse(finishedAt) - Date.parse(startedAt)) / 1000,
  };
  const files = mode === "pilot" ? await writePilotReport(results, out) : await writeReport(results, out);
  console.error(`report: ${join(out, "README.md")} (${files.length} files)`);
  if (values.import) {
    // The dashboard's database: DATABASE_URL, or npm start's embedded one (started if it is not running).
    const db = await prepareDatabase((m) => console.error(`[database] ${m}`));
    const prisma = createPrisma(db.url);
    const pool = createPool(db.url);
    try {
      await importStudy(prisma, pool, results);
      console.error(`imported ${results.runs.length} runs as "${experimentName(results)}"`);
    } finally {
      await prisma.$disconnect();
      await pool.end();
      await db.release();
    }
  }
}

runCommand(() => main(process.argv.slice(2)), { prefix: "study:", failureExit: 2 });
