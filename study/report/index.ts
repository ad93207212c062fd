// The study's report: README.md with the figures beside it, and CSVs of every number, written from
// a finished StudyResults. Every figure and sentence comes from study/analysis.ts; the findings
// paragraphs are generated from the numbers and say "does not reproduce" where that is what they
// show. Each section (one module each here) ends in a marked placeholder for a human's reasoned
// discussion; this module puts the header, the sections and the CSVs together.
import { spawnSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { formatDuration } from "../../app/components/format";
import { analyzeZoo } from "../analysis";
import type { StudyResults } from "../types";
import { curvesCsv, modelsCsv, runsCsv } from "./csv";
import { datasetSection } from "./dataset";
import { externalSection } from "./external";
import type { Output } from "./figures";
import { pilotSection } from "./pilot";
import { mdTable } from "./markdown";
import { methodsSection } from "./methods";
import { tttSection } from "./ttt";
import { zooSection } from "./zoo";

export { CURVES_CSV_COLUMNS, RUNS_CSV_COLUMNS } from "./csv";
export { datasetFindings } from "./dataset";
export { externalFindings } from "./external";
export { lrText, pilotFindings } from "./pilot";
export { DISCUSSION_PLACEHOLDER, acc, signed } from "./markdown";
export { methodSentence, methodsFindings } from "./methods";
export { tttFindings } from "./ttt";
export { PAPER_TABLE, ZOO_MCS_HEADER, zooFindings } from "./zoo";

/**
 * The commits that wrote the pre-registration, oldest first, with their dates: each must precede
 * the runs it governs, which the report's start time lets a reader check. Empty outside a git checkout.
 */
export function preregistrationCommits(): string[] {
  const r = spawnSync("git", ["log", "--reverse", "--format=%h %cI %s", "--", "docs/study/PREREGISTRATION.md"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim().split("\n").filter(Boolean) : [];
}

function machineTable(results: StudyResults): string {
  const m = results.machine;
  const runSeconds = results.runs.reduce((a, r) => a + r.seconds, 0);
  return mdTable(
    ["study", ""],
    [
      ["mode", results.plan.mode],
      ["machine", `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}`],
      ["software", `Node ${m.node}, onnxruntime-node ${m.onnxruntime}`],
      ["started / finished (UTC)", `${results.startedAt} / ${results.finishedAt}`],
      ["wall time", formatDuration(results.wallSeconds * 1000)],
      ["runs", `${results.runs.length} (${formatDuration(runSeconds * 1000)} of run time)`],
      ["steps per run", String(results.plan.steps)],
      ["seeds", results.plan.seeds.join(", ")],
    ],
  );
}

function header(results: StudyResults): string {
  const commits = preregistrationCommits();
  return [
    "# URLVR Lab study v2: does the Model Collapse Step predict the gain from RL?",
    `This report tests the central claim of "How Far Can Unsupervised RLVR Scale LLM Training?" (arXiv 2603.08660), ` +
      `that ranking base models by MCS predicts their gain from ground-truth RL, and the paper's other findings, with the ` +
      `project's engine and its own base models (models/zoo.ts). The design, the admission gates, the learning-rate pilot and ` +
      `the analysis were fixed in advance in [PREREGISTRATION.md](PREREGISTRATION.md); the learning rate comes from the pilot ` +
      `([pilot/README.md](pilot/README.md)). Every number below is computed from the runs in this folder's CSVs.`,
    commits.length > 0
      ? `Pre-registration commits (each before the runs it governs; this study's runs started ${results.startedAt}):\n\n${commits.map((c) => `- ${c}`).join("\n")}`
      : "Pre-registration commits: not available (not a git checkout).",
    machineTable(results),
    "## How to reproduce",
    "```sh\nnpm run zoo                # rebuild the base models from their recipes (models/zoo.ts)\nnpm run study -- --pilot   # the learning-rate pilot (pilot/README.md)\nnpm run study              # train every run of the plan and write this report\n```",
    "Data: [runs.csv](runs.csv) (one row per run), [models.csv](models.csv) (the zoo table), [curves.csv](curves.csv) (every run and step).",
    "Runs are deterministic for one version of the engine: the same config and seed give the same metrics. A later engine whose " +
      "arithmetic rounds differently (the CPU update in micro-batches, commit 25069fa, sums each gradient in another order) reproduces " +
      "the design and the statistics, not each run's curve: RL runs that start a rounding error apart part within tens of steps.",
  ].join("\n\n");
}

/** The pilot's own report: its table, chart and choice, with the machine and the runs as CSV. */
export async function writePilotReport(results: StudyResults, outDir: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const out: Output = { dir: outDir, written: [] };
  const md = [
    "# Study v2: the learning-rate pilot",
    "Part B of [the pre-registration](../PREREGISTRATION.md): one ground-truth run per candidate learning rate on the middle admitted model; " +
      "the rate with the largest GT gain becomes the main study's.",
    machineTable(results),
    await pilotSection(results, out, "## Runs"),
  ].join("\n\n");
  for (const [name, text] of [["README.md", `${md}\n`], ["runs.csv", runsCsv(results)], ["curves.csv", curvesCsv(results)]] as const) {
    const path = join(outDir, name);
    await writeFile(path, text);
    out.written.push(path);
  }
  return out.written;
}

/** Writes README.md, the charts and the CSVs into outDir; returns the paths written. */
export async function writeReport(results: StudyResults, outDir: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const out: Output = { dir: outDir, written: [] };
  const sections = [
    header(results),
    await zooSection(results, out),
    await methodsSection(results, out),
    await datasetSection(results, out),
    await tttSection(results, out),
    await externalSection(results, out),
  ];
  const files: [string, string][] = [
    ["README.md", `${sections.join("\n\n")}\n`],
    ["runs.csv", runsCsv(results)],
    ["models.csv", modelsCsv(analyzeZoo(results))],
    ["curves.csv", curvesCsv(results)],
  ];
  for (const [name, text] of files) {
    const path = join(outDir, name);
    await writeFile(path, text);
    out.written.push(path);
  }
  return out.written;
}
