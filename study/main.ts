// `npm run study [-- --quick | --pilot]`: the pre-registered study on the zoo (docs/study/PREREGISTRATION.md;
// study/plan.ts for the runs), then the report under docs/. Resumable: the same command continues
// where a stopped one ended.
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
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

class UsageError extends Error {}

function positiveInt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer, got "${v}"`);
  return n;
}

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
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      quick: { type: "boolean" },
      pilot: { type: "boolean" },
      results: { type: "string" },
      out: { type: "string" },
      fresh: { type: "boolean" },
      parallel: { type: "string" },
      steps: { type: "string" },
      "report-only": { type: "boolean" },
      import: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return void console.log(USAGE);
  if (values.quick && values.pilot) throw new UsageError("--quick and --pilot exclude each other");
  const mode = values.quick ? "quick" : values.pilot ? "pilot" : "full";
  const plan = makePlan(mode, { steps: positiveInt("steps", values.steps) });
  const parallel = positiveInt("parallel", values.parallel) ?? os.availableParallelism();
  const folder = new ResultsFolder(values.results ?? join(".data", "study", mode));
  const out = values.out ?? { full: join("docs", "study"), pilot: join("docs", "study", "pilot"), quick: join("docs", "study-quick") }[mode];
  const models = loadModels(plan);

  folder.open(plan, values.fresh === true);
  if (!values["report-only"]) {
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

main(process.argv.slice(2)).catch((e: unknown) => {
  const err = toError(e);
  console.error(err instanceof UsageError || err.name === "TypeError" ? `${err.message}\n(see --help)` : `study: ${err.message}`);
  process.exit(2);
});
