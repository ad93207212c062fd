// The study's report: README.md with the figures beside it, and CSVs of every number, written from
// a finished StudyResults. Every figure and sentence comes from study/analysis.ts; the findings
// paragraphs are generated from the numbers and say "does not reproduce" where that is what they
// show. Each section ends in a marked placeholder for a human's reasoned discussion.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stringify } from "csv-stringify/sync";
import { formatDuration } from "../app/components/format";
import { METRICS } from "../runner/engine/metrics/metricNames";
import { type MetricPoint, spearman } from "../runner/engine/metrics/mcs";
import { type McsValue, formatMcs } from "../server/services/leaderboard-table";
import {
  ANALYSIS_THRESHOLDS,
  type DatasetAnalysis,
  type LearningRateRow,
  type MethodRow,
  type RunSummary,
  type TttPair,
  type ZooAnalysis,
  analyzeDataset,
  analyzeExternal,
  analyzeLearningRates,
  analyzeMethods,
  analyzeTtt,
  analyzeZoo,
  clears,
  learningRateTradeoff,
  rhoVerdict,
  runsIn,
  series,
  shapeOf,
  smoothedSeries,
  summarizeRun,
} from "./analysis";
import { type LineSeries, colorFor, lineChart, scatterChart } from "./charts";
import type { StudyResults, StudyRunResult } from "./types";

const T = ANALYSIS_THRESHOLDS;

/** The paper's AIME24 table (DESIGN.md): MCS and GT gain in points, for reference. */
export const PAPER_TABLE: readonly { model: string; mcs: number; gtGain: number }[] = [
  { model: "OLMo-2-7B", mcs: 34, gtGain: 0.42 },
  { model: "Llama-3.1-8B", mcs: 40, gtGain: 1.01 },
  { model: "Qwen2.5-Math-1.5B", mcs: 160, gtGain: 3.96 },
  { model: "Qwen2.5-1.5B", mcs: 221, gtGain: 3.96 },
  { model: "Qwen2.5-7B", mcs: 245, gtGain: 6.67 },
  { model: "Qwen3-1.7B-Base", mcs: 280, gtGain: 7.08 },
  { model: "Qwen3-8B-Base", mcs: 383, gtGain: 17.08 },
];

/** Level of the permutation test below which a positive rank correlation counts as established. */
const SIGNIFICANCE = 0.05;

export const DISCUSSION_PLACEHOLDER = "<!-- discussion -->\n_Discussion: to be written (a reasoned account of why the numbers above look the way they do)._";

// ---------------------------------------------------------------------------------------------
// Formatting: accuracies and rewards with 3 decimals, gains signed, rho with 2.

export function acc(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? "–" : v.toFixed(3);
}

export function signed(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  return `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(3)}`;
}

function rhoText(rho: number | null): string {
  return rho === null || Number.isNaN(rho) ? "undefined" : rho.toFixed(2);
}

function pText(p: number | null): string {
  return p === null ? "" : ` (one-sided exact permutation p = ${p.toFixed(3)})`;
}

function mdTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const esc = (s: string) => s.replace(/\|/g, "\\|");
  return [
    `| ${header.map(esc).join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`),
  ].join("\n");
}

function image(file: string, alt: string): string {
  return `![${alt}](${file})`;
}

function perSeed<T>(xs: readonly { seed: number; value: T }[], f: (v: T) => string): string {
  return xs.length === 0 ? "–" : xs.map((x) => `s${x.seed}: ${f(x.value)}`).join(" · ");
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

// ---------------------------------------------------------------------------------------------
// Charts, written as they are made.

interface Output {
  dir: string;
  written: string[];
}

async function writeChart(out: Output, file: string, png: Promise<Buffer>): Promise<string> {
  const path = join(out.dir, file);
  await writeFile(path, await png);
  out.written.push(path);
  return file;
}

/** The first seed's run of each group: curves of several seeds on one figure would be unreadable. */
function firstSeed(runs: readonly RunSummary[]): RunSummary | undefined {
  return [...runs].sort((a, b) => a.seed - b.seed)[0];
}

function runById(results: StudyResults, id: string): StudyRunResult {
  const r = results.runs.find((x) => x.spec.id === id);
  if (!r) throw new Error(`run ${id} is not in the results`);
  return r;
}

function valPoints(run: StudyRunResult): MetricPoint[] {
  return series(run.records, METRICS.valAccuracy);
}

function trainPoints(run: StudyRunResult, metric: string): MetricPoint[] {
  return series(run.records.filter((r) => r.step > 0), metric);
}

// ---------------------------------------------------------------------------------------------
// Zoo.

export const ZOO_MCS_HEADER = "MCS (median)";

/** Static-evaluation column labels of any zoo model, in the order staticEvalFigures gives them. */
function staticLabels(zoo: ZooAnalysis): string[] {
  return [...new Set(zoo.rows.flatMap((r) => Object.keys(r.staticEval)))];
}

function zooTable(zoo: ZooAnalysis): { header: string[]; rows: string[][] } {
  const present = staticLabels(zoo);
  const ks = [...new Set(zoo.rows.map((r) => r.row.k).filter((k) => k !== null))];
  const k = ks.length === 1 ? String(ks[0]) : "k";
  const header = [
    "rank", "model", "parameters", "pretraining steps", "corruption", ...present.map((l) => (l === "greedy" ? "static greedy" : l)),
    ZOO_MCS_HEADER, "MCS per seed", "GT gain (median)", "GT gain per seed", `pass@${k} gain`,
  ];
  const rows = zoo.rows.map((r) => [
    r.row.rank === null ? "–" : String(r.row.rank),
    r.row.model,
    r.parameters === null ? "–" : r.parameters.toLocaleString("en-US"),
    r.pretrainingSteps === null ? "–" : String(r.pretrainingSteps),
    r.corruption,
    ...present.map((l) => acc(r.staticEval[l])),
    r.row.mcsLabel || "–",
    perSeed(r.mcsPerSeed, (v: McsValue) => formatMcs(v)),
    signed(r.row.gtGain),
    perSeed(r.gtGainPerSeed, signed),
    signed(r.row.passAtKGain),
  ]);
  return { header, rows };
}

/** Steps of majority_vote runs up to their MCS (whole run when censored) vs steps of the GT runs. */
function computeRatio(results: StudyResults): { mcsSteps: number; gtSteps: number } {
  let mcsSteps = 0;
  let gtSteps = 0;
  for (const run of runsIn(results, "zoo")) {
    const s = summarizeRun(run);
    if (s.reward === "majority_vote") mcsSteps += s.mcs.censored ? s.lastStep : s.mcs.step;
    if (s.reward === "ground_truth") gtSteps += s.lastStep;
  }
  return { mcsSteps, gtSteps };
}

export function zooFindings(zoo: ZooAnalysis, results: StudyResults): string {
  const { rho, n } = zoo.leaderboard.mcsVsGtGain;
  const pass = zoo.leaderboard.passAtKGainVsGtGain;
  const seeds = plural(zoo.seeds.length, "seed");
  const over = `over ${plural(n, "model")}, ${seeds}`;
  const out: string[] = [];
  switch (rhoVerdict(rho)) {
    case "strong":
      out.push(
        zoo.mcsVsGtGainP !== null && zoo.mcsVsGtGainP > SIGNIFICANCE
          ? `**Same direction, not established.** MCS ranks the models like GT gain: ρ = ${rhoText(rho)} ${over}${pText(zoo.mcsVsGtGainP)}.`
          : `**Reproduces.** MCS ranks the models like GT gain: ρ = ${rhoText(rho)} ${over}${pText(zoo.mcsVsGtGainP)}.`,
      );
      break;
    case "weak":
      out.push(
        `**Partly reproduces.** MCS and GT gain agree only weakly: ρ = ${rhoText(rho)} ${over}${pText(zoo.mcsVsGtGainP)}, ` +
          `below the ${T.strongRho} this report takes as ranking alike.`,
      );
      break;
    case "none":
      out.push(`**Does not reproduce.** MCS does not rank the models like GT gain: ρ = ${rhoText(rho)} ${over}${pText(zoo.mcsVsGtGainP)}.`);
      break;
    default:
      out.push(
        `**Cannot tell.** The rank correlation of MCS and GT gain is undefined: ${plural(n, "model")} have both figures ` +
          `(at least 2 needed, and neither side may be constant).`,
      );
  }
  if (zoo.mcsVsGtGainP !== null && zoo.mcsVsGtGainP > SIGNIFICANCE && (rho ?? 0) > 0) {
    out.push(`With ${plural(n, "model")}, a ρ at least this large arises by chance ${(zoo.mcsVsGtGainP * 100).toFixed(1)}% of the time, so the agreement is not established at the ${SIGNIFICANCE * 100}% level.`);
  }
  if (pass.rho !== null && rho !== null) {
    const cmp =
      rho > pass.rho
        ? "MCS ranks the models closer to GT gain than pass@k gain does, as in the paper"
        : rho === pass.rho
          ? "MCS and pass@k gain rank the models equally well"
          : "pass@k gain ranks the models closer to GT gain than MCS does: the paper's advantage of MCS over pass@k does not reproduce";
    out.push(`pass@k gain vs GT gain: ρ = ${rhoText(pass.rho)} over ${plural(pass.n, "model")}${pText(zoo.passAtKGainVsGtGainP)}; ${cmp}.`);
  } else {
    out.push(`pass@k gain vs GT gain: ρ ${rhoText(pass.rho)} over ${plural(pass.n, "model")}.`);
  }
  const censored = zoo.rows.filter((r) => r.row.mcs?.censored);
  if (censored.length > 0) {
    out.push(
      `${plural(censored.length, "model")} (${censored.map((r) => r.row.model).join(", ")}) did not collapse within the budget ` +
        `(median MCS censored): ${censored.length === 1 ? "its MCS is a lower bound, ranked" : "their MCS are lower bounds, ranked"} above every collapsed model.`,
    );
  }
  const partly = zoo.rows.filter((r) => !r.row.mcs?.censored && r.mcsPerSeed.some((s) => s.value.censored));
  if (partly.length > 0) out.push(`Seeds disagree on collapse for ${partly.map((r) => r.row.model).join(", ")}.`);
  const { mcsSteps, gtSteps } = computeRatio(results);
  if (mcsSteps > 0 && gtSteps > 0) {
    out.push(
      `Cost: measuring MCS took ${mcsSteps} majority-vote steps (to collapse, or the whole run when censored) against ${gtSteps} ` +
        `ground-truth steps for GT gain, ${(gtSteps / mcsSteps).toFixed(1)}x fewer (the paper: 5.6x), and no labels.`,
    );
  }
  return out.join(" ");
}

async function zooSection(results: StudyResults, out: Output): Promise<string> {
  const zoo = analyzeZoo(results);
  const zooRuns = runsIn(results, "zoo");
  const parts: string[] = ["## 1. The zoo: does MCS rank base models like their gain from ground-truth RL?"];
  if (zooRuns.length === 0) return [...parts, "The plan has no zoo runs."].join("\n\n");
  const steps = results.plan.steps;
  const threshold = zooRuns[0]!.spec.config.collapseThreshold;
  parts.push(
    `Each ranked model trained with majority_vote (for MCS: the first step at which train/reward_accuracy falls below ` +
      `${threshold}) and with ground_truth (for GT gain: best minus initial val accuracy), ${steps} steps, seeds ` +
      `${results.plan.seeds.join(", ")}. The table follows the dashboard's leaderboard rules ` +
      `(server/services/leaderboard-table.ts): medians over seeds; a censored MCS "> N" means the run never fell below the ` +
      `threshold in N steps and ranks above every collapsed one.`,
  );
  const t = zooTable(zoo);
  parts.push(mdTable(t.header, t.rows));
  parts.push(
    mdTable(
      ["correlation (Spearman)", "ρ", "models", "seeds", "p (one-sided, exact)"],
      [
        ["MCS vs GT gain", rhoText(zoo.leaderboard.mcsVsGtGain.rho), String(zoo.leaderboard.mcsVsGtGain.n), String(zoo.seeds.length), zoo.mcsVsGtGainP === null ? "–" : zoo.mcsVsGtGainP.toFixed(3)],
        ["pass@k gain vs GT gain", rhoText(zoo.leaderboard.passAtKGainVsGtGain.rho), String(zoo.leaderboard.passAtKGainVsGtGain.n), String(zoo.seeds.length), zoo.passAtKGainVsGtGainP === null ? "–" : zoo.passAtKGainVsGtGainP.toFixed(3)],
      ],
    ),
  );
  const paperRho = spearman(PAPER_TABLE.map((r) => r.mcs), PAPER_TABLE.map((r) => r.gtGain));
  parts.push(
    `For reference, the paper's table (AIME24; GT gain in points), ρ = ${rhoText(paperRho)} over ${PAPER_TABLE.length} models:\n\n` +
      mdTable(["model", "MCS", "GT gain"], PAPER_TABLE.map((r) => [r.model, String(r.mcs), `+${r.gtGain.toFixed(2)}`])),
  );

  // Reward-accuracy curves of the first seed, one per model, with the threshold.
  const seed = Math.min(...results.plan.seeds);
  const mv = results.plan.rankedModels
    .map((m) => zooRuns.find((r) => r.spec.config.model === m && r.spec.config.reward === "majority_vote" && r.spec.config.seed === seed))
    .filter((r): r is StudyRunResult => r !== undefined);
  const curves = await writeChart(
    out,
    "zoo-reward-accuracy.png",
    lineChart({
      title: `Reward accuracy of majority_vote runs (seed ${seed})`,
      xLabel: "step",
      yLabel: "train/reward_accuracy",
      yMin: 0,
      yMax: 1,
      series: mv.map((r, i) => ({ label: r.spec.config.model, points: trainPoints(r, METRICS.rewardAccuracy), color: colorFor(r.spec.config.model, i) })),
      hlines: [{ y: threshold, label: `MCS threshold (${threshold})` }],
    }),
  );
  const scatter = await writeChart(
    out,
    "zoo-mcs-vs-gt-gain.png",
    scatterChart({
      title: "Median MCS vs median GT gain per model",
      xLabel: "MCS (median over seeds, steps)",
      yLabel: "GT gain (best - initial val accuracy)",
      points: zoo.rows
        .filter((r) => r.row.mcs && r.row.gtGain !== null)
        .map((r) => ({ x: r.row.mcs!.step, y: r.row.gtGain!, label: r.row.model, censored: r.row.mcs!.censored })),
    }),
  );
  parts.push(image(curves, "Reward accuracy per model"), image(scatter, "MCS vs GT gain"));
  parts.push(`**Findings.** ${zooFindings(zoo, results)}`);
  parts.push(DISCUSSION_PLACEHOLDER);
  return parts.join("\n\n");
}

// ---------------------------------------------------------------------------------------------
// Learning rate.

/** 1e-4 rather than 0.0001: the rates tried differ in their leading digit, which this keeps readable. */
export function lrText(lr: number): string {
  return lr.toExponential();
}

/** The rate, marked "(default)" when the plan did not list it among the rates the section adds. */
function lrLabel(lr: number, learningRates: readonly number[]): string {
  return learningRates.includes(lr) ? lrText(lr) : `${lrText(lr)} (default)`;
}

/** KL values are small (often under 0.01): three significant digits rather than three decimals. */
function klText(v: number | null): string {
  return v === null || !Number.isFinite(v) ? "–" : v.toPrecision(3);
}

function finalChange(r: LearningRateRow): number | null {
  return r.val.final !== null && r.val.initial !== null ? r.val.final - r.val.initial : null;
}

/**
 * What the "lr" section's numbers say: where ground_truth gains most, which majority_vote runs fell
 * below the MCS threshold (and when), and whether any rate has both a clear GT gain and a collapse.
 */
export function lrFindings(rows: readonly LearningRateRow[], learningRates: readonly number[]): string {
  if (rows.length === 0) return "No learning-rate runs.";
  const trade = learningRateTradeoff(rows);
  const label = (lr: number) => `lr ${lrLabel(lr, learningRates)}`;
  const out: string[] = [];

  const gts = trade.map((t) => t.gt).filter((r): r is LearningRateRow => r !== null && r.gtGain !== null);
  if (gts.length === 0) {
    out.push("No ground_truth run has val accuracy, so GT gain is unknown at every rate.");
  } else {
    const best = gts.reduce((a, b) => (b.gtGain! > a.gtGain! ? b : a));
    const others = gts.filter((r) => r !== best).map((r) => `${label(r.lr)} ${signed(r.gtGain)} (final − initial ${signed(finalChange(r))})`);
    out.push(
      `ground_truth gains most at ${label(best.lr)}: val accuracy ${acc(best.val.initial)} → peak ${acc(best.val.peak)} at step ${best.val.peakStep} ` +
        `→ ${acc(best.val.final)}, GT gain ${signed(best.gtGain)} (final − initial ${signed(finalChange(best))})` +
        (others.length > 0 ? `; ${others.join("; ")}.` : "."),
    );
    const clear = trade.filter((t) => t.gains).map((t) => label(t.lr));
    out.push(`GT gain reaches the ${T.accuracyMargin} margin at ${clear.length > 0 ? clear.join(", ") : "no rate"}.`);
  }

  const mvs = trade.map((t) => t.mv).filter((r): r is LearningRateRow => r !== null && r.mcs !== null);
  if (mvs.length === 0) {
    out.push("No majority_vote run is in the section, so collapse is unknown at every rate.");
  } else {
    const collapsed = mvs.filter((r) => !r.mcs!.censored);
    const stayed = mvs.filter((r) => r.mcs!.censored);
    const threshold = mvs[0]!.collapseThreshold;
    out.push(
      (collapsed.length > 0
        ? `majority_vote fell below the MCS threshold (${threshold}) ${collapsed.map((r) => `at step ${r.mcs!.step} with ${label(r.lr)}`).join(", ")}`
        : `majority_vote fell below the MCS threshold (${threshold}) at no rate`) +
        (stayed.length > 0
          ? `; it stayed above ${stayed.map((r) => `with ${label(r.lr)} (MCS ${formatMcs(r.mcs!)}, lowest smoothed reward accuracy ${acc(r.minRewardAccuracy)})`).join(", ")}.`
          : "."),
    );
  }

  const both = trade.filter((t) => t.gains && t.collapses);
  const missing = trade.filter((t) => t.gt === null || t.mv === null).map((t) => `${label(t.lr)} (no ${t.gt === null ? "ground_truth" : "majority_vote"} run)`);
  const gap = missing.length > 0 ? ` Incomplete: ${missing.join(", ")}.` : "";
  if (both.length > 0) {
    out.push(
      `**Both at ${both.map((t) => label(t.lr)).join(", ")}:** ground_truth gains at least ${T.accuracyMargin} and majority_vote collapses, ` +
        `so MCS and GT gain can be compared there.${gap}`,
    );
    // The zoo runs at the default rate; say so when that is not where both happen.
    const defaults = trade.filter((t) => !learningRates.includes(t.lr) && !both.includes(t)).map((t) => label(t.lr));
    if (defaults.length > 0) out.push(`${defaults.join(", ")}, the rate of the zoo's runs, is not among them.`);
  } else {
    const gainsAt = trade.filter((t) => t.gains).map((t) => label(t.lr));
    const collapsesAt = trade.filter((t) => t.collapses).map((t) => label(t.lr));
    const why =
      gainsAt.length > 0 && collapsesAt.length > 0
        ? `the rates where ground-truth RL gains (${gainsAt.join(", ")}) and those where majority voting collapses (${collapsesAt.join(", ")}) ` +
          `do not overlap, so an MCS and a GT gain measured at one rate describe different regimes on this model.`
        : `ground-truth RL gains at ${gainsAt.join(", ") || "no rate"} and majority voting collapses at ${collapsesAt.join(", ") || "no rate"}, ` +
          `so no rate tried here supports comparing the two.`;
    out.push(`**No learning rate has both** a GT gain of at least ${T.accuracyMargin} and a majority_vote collapse: ${why}${gap}`);
  }
  return out.join(" ");
}

async function lrSection(results: StudyResults, out: Output): Promise<string> {
  const rows = analyzeLearningRates(results);
  const plan = results.plan;
  const parts = ["## 2. Learning rate: where supervised RL gains vs where majority voting collapses"];
  if (rows.length === 0) return [...parts, "The plan has no learning-rate runs."].join("\n\n");
  const rates = [...new Set(rows.map((r) => r.lr))].sort((a, b) => a - b);
  const seeds = [...new Set(rows.map((r) => r.seed))].sort((a, b) => a - b);
  parts.push(
    `majority_vote and ground_truth on ${plan.focusModel} at each learning rate (${rates.map((lr) => lrLabel(lr, plan.learningRates)).join(", ")}), ` +
      `seed ${seeds.join(", ")}, ${plan.steps} steps. The zoo compares MCS with GT gain at one rate; the comparison presupposes a rate at ` +
      `which ground-truth RL gains and majority voting collapses, and this section shows whether one exists here. MCS is left out for ` +
      `ground_truth (its reward agrees with the ground truth by construction). Reward accuracy is a moving mean over ${T.smoothingWindow} ` +
      `steps (MCS itself uses the raw steps, as the leaderboard does); final KL is actor/kl_ref, a moving mean over the last ` +
      `${T.smoothingWindow} steps; GT gain is best minus initial val accuracy, as in the zoo.`,
  );
  parts.push(
    mdTable(
      ["lr", "reward", "MCS", "min reward accuracy (smoothed)", "val initial", "val peak", "val final", "GT gain", "final KL to reference"],
      rows.map((r) => [
        lrLabel(r.lr, plan.learningRates), r.reward, r.mcs === null ? "–" : formatMcs(r.mcs), acc(r.minRewardAccuracy), acc(r.val.initial),
        r.val.peak === null ? "–" : `${acc(r.val.peak)} (step ${r.val.peakStep})`, acc(r.val.final), signed(r.gtGain), klText(r.finalKl),
      ]),
    ),
  );
  // One color per rate across both figures; the reward is told apart by the line style.
  const color = (lr: number) => colorFor(String(lr), rates.indexOf(lr));
  const val = await writeChart(
    out,
    "lr-val-accuracy.png",
    lineChart({
      title: "Val accuracy per learning rate (solid: ground_truth, dashed: majority_vote)",
      xLabel: "step",
      yLabel: "val/accuracy",
      yMin: 0,
      yMax: 1,
      series: rows.map((r) => ({
        label: `lr ${lrText(r.lr)} ${r.reward} (seed ${r.seed})`,
        points: valPoints(runById(results, r.runId)),
        color: color(r.lr),
        dashed: r.reward !== "ground_truth",
        markers: true,
      })),
    }),
  );
  parts.push(image(val, "Val accuracy per learning rate"));
  const mv = rows.filter((r) => r.reward === "majority_vote");
  if (mv.length > 0) {
    const threshold = mv[0]!.collapseThreshold;
    const ra = await writeChart(
      out,
      "lr-reward-accuracy.png",
      lineChart({
        title: "Reward accuracy of majority_vote per learning rate",
        xLabel: "step",
        yLabel: "train/reward_accuracy",
        yMin: 0,
        yMax: 1,
        series: mv.map((r) => ({ label: `lr ${lrText(r.lr)} (seed ${r.seed})`, points: trainPoints(runById(results, r.runId), METRICS.rewardAccuracy), color: color(r.lr), dashed: true })),
        hlines: [{ y: threshold, label: `MCS threshold (${threshold})` }],
      }),
    );
    parts.push(image(ra, "Reward accuracy of majority_vote per learning rate"));
  }
  parts.push(`**Findings.** ${lrFindings(rows, plan.learningRates)}`);
  parts.push(DISCUSSION_PLACEHOLDER);
  return parts.join("\n\n");
}

// ---------------------------------------------------------------------------------------------
// Intrinsic methods.

function runRow(s: RunSummary): string[] {
  return [
    String(s.seed),
    acc(s.val.initial),
    s.val.peak === null ? "–" : `${acc(s.val.peak)} (step ${s.val.peakStep})`,
    acc(s.val.final),
    shapeOf(s.val, T.accuracyMargin),
    `${acc(s.gtReward.initial)} → ${acc(s.gtReward.peak)} → ${acc(s.gtReward.final)}`,
    `${acc(s.proxyReward.initial)} → ${acc(s.proxyReward.final)}`,
  ];
}

const RUN_HEADER = ["seed", "val initial", "val peak", "val final", "val shape", "GT reward (smoothed) initial → peak → final", "proxy reward initial → final"];

export function methodSentence(s: RunSummary): string {
  const shape = shapeOf(s.val, T.accuracyMargin);
  let text = `${s.reward} (seed ${s.seed}): val accuracy ${acc(s.val.initial)} → peak ${acc(s.val.peak)} at step ${s.val.peakStep} → ${acc(s.val.final)} (${shape})`;
  const proxyUp = s.proxyReward.initial !== null && s.proxyReward.final !== null && clears(s.proxyReward.final - s.proxyReward.initial, T.rewardMargin);
  const gtFell = clears(s.gtReward.fall, T.rewardMargin);
  // Under ground_truth the proxy is the GT reward: a gap between them cannot be reward hacking.
  if (s.reward !== "ground_truth" && proxyUp && gtFell) {
    text += `; the proxy reward rose ${acc(s.proxyReward.initial)} → ${acc(s.proxyReward.final)} while the smoothed GT reward fell ${signed(-s.gtReward.fall!)} from its peak (reward hacking)`;
  }
  if (s.reward !== "ground_truth") text += `; failure mode: ${s.failure.mode}`;
  return `${text}.`;
}

function methodsFindings(rows: readonly MethodRow[]): string {
  const intrinsic = rows.filter((r) => r.method !== "ground_truth");
  const firsts = intrinsic.map((r) => firstSeed(r.runs)!).filter(Boolean);
  const riseFall = firsts.filter((s) => shapeOf(s.val, T.accuracyMargin) === "rise then fall");
  const fell = firsts.filter((s) => clears(s.val.fall, T.accuracyMargin));
  const lines = firsts.map((s) => `- ${methodSentence(s)}`);
  const head =
    riseFall.length === firsts.length && firsts.length > 0
      ? `**Reproduces.** Every intrinsic method (${firsts.length}) rises then falls on val accuracy (margin ${T.accuracyMargin}).`
      : fell.length === firsts.length && firsts.length > 0
        ? `**Partly reproduces.** Every intrinsic method falls from its peak, but only ${riseFall.length} of ${firsts.length} rose by the margin (${T.accuracyMargin}) first: ${riseFall.map((s) => s.reward).join(", ") || "none"}.`
        : `**Does not reproduce for every method.** ${riseFall.length} of ${firsts.length} intrinsic methods rise then fall (margin ${T.accuracyMargin}): ` +
          `${riseFall.map((s) => s.reward).join(", ") || "none"}; ${firsts.length - fell.length} did not fall from their peak within ${firsts[0]?.steps ?? 0} steps: ` +
          `${firsts.filter((s) => !fell.includes(s)).map((s) => s.reward).join(", ") || "none"}.`;
  return [head, "", ...lines].join("\n");
}

async function methodsSection(results: StudyResults, out: Output): Promise<string> {
  const rows = analyzeMethods(results);
  const parts = [`## 3. Intrinsic rewards on ${results.plan.focusModel}: rise then fall`];
  if (rows.length === 0) return [...parts, "The plan has no methods runs."].join("\n\n");
  parts.push(
    `One run per method and seed, ${results.plan.steps} steps. Val accuracy is greedy on the held-out split; the ground-truth ` +
      `and proxy rewards are moving means over ${T.smoothingWindow} steps. Failure modes (thresholds in study/analysis.ts): ` +
      `length collapse when the mean length of the last ${T.edgeShare * 100}% of steps is under ${T.lengthCollapseRatio} x the first ` +
      `${T.edgeShare * 100}% (or reaches ${T.lengthMaxShare * 100}% of maxNewTokens); repetition collapse when the end's repetition is over ` +
      `${T.repetitionFinalMin} and over ${T.repetitionRiseRatio} x the start's; gradual degradation when val accuracy falls at least ` +
      `${T.accuracyMargin} from its peak with neither.`,
  );
  parts.push(
    mdTable(
      ["method", ...RUN_HEADER, "MCS", "failure mode", "length start → end", "repetition start → end"],
      rows.flatMap((r) =>
        r.runs.map((s) => [
          r.method, ...runRow(s), formatMcs(s.mcs), s.failure.mode,
          `${s.failure.lengthStart?.toFixed(1) ?? "–"} → ${s.failure.lengthEnd?.toFixed(1) ?? "–"}`,
          `${acc(s.failure.repetitionStart)} → ${acc(s.failure.repetitionEnd)}`,
        ]),
      ),
    ),
  );
  const firsts = rows.map((r) => firstSeed(r.runs)!).map((s) => ({ s, run: runById(results, s.id) }));
  const charts: [string, string, string, (run: StudyRunResult) => MetricPoint[], number?, number?][] = [
    ["methods-val-accuracy.png", "Val accuracy per method", "val/accuracy", valPoints, 0, 1],
    ["methods-gt-reward.png", `Ground-truth reward per method (moving mean, ${T.smoothingWindow} steps)`, "train/ground_truth_reward", (r) => smoothedSeries(r, METRICS.groundTruthReward), 0, 1],
    ["methods-proxy-reward.png", `Proxy reward per method (moving mean, ${T.smoothingWindow} steps)`, "train/proxy_reward", (r) => smoothedSeries(r, METRICS.proxyReward)],
    ["methods-length.png", "Mean response length per method", "response/length_mean (tokens)", (r) => trainPoints(r, METRICS.lengthMean), 0],
    ["methods-repetition.png", "Response repetition per method", "response/repetition", (r) => trainPoints(r, METRICS.repetition), 0, 1],
  ];
  for (const [file, title, yLabel, points, yMin, yMax] of charts) {
    const series: LineSeries[] = firsts.map(({ s, run }, i) => ({ label: `${s.reward} (seed ${s.seed})`, points: points(run), color: colorFor(s.reward, i), markers: file === "methods-val-accuracy.png" }));
    parts.push(image(await writeChart(out, file, lineChart({ title, xLabel: "step", yLabel, series, yMin, yMax })), title));
  }
  parts.push(`**Findings.** ${methodsFindings(rows)}`);
  parts.push(DISCUSSION_PLACEHOLDER);
  return parts.join("\n\n");
}

// ---------------------------------------------------------------------------------------------
// Dataset size.

export function datasetFindings(d: DatasetAnalysis, steps: number): string {
  if (d.rows.length === 0) return "No dataset runs.";
  const sizes = d.rows.map((r) => r.size);
  const smallest = sizes[0]!;
  const largest = sizes[sizes.length - 1]!;
  if (d.collapseOnset === null) {
    return `**Does not reproduce within the budget.** No dataset size collapsed in ${steps} steps (MCS censored for ${sizes.join(", ")} prompts): the paper's collapse on large datasets did not appear here.`;
  }
  const stayed = d.rows.filter((r) => r.mcs?.censored).map((r) => r.size);
  const collapsed = d.rows.filter((r) => r.mcs && !r.mcs.censored).map((r) => `${r.size} (MCS ${r.mcsLabel})`);
  if (d.collapseOnset === smallest) {
    return `**Does not reproduce.** Even the smallest dataset (${smallest} prompts) collapsed within ${steps} steps; collapsed: ${collapsed.join(", ")}. The paper's finding that small datasets do not collapse did not appear here.`;
  }
  const order = d.monotone
    ? `every size below ${d.collapseOnset} prompts stayed above the threshold (${stayed.join(", ")}) and every size from it collapsed (${collapsed.join(", ")})`
    : `but not monotonically: stayed up ${stayed.join(", ")}; collapsed ${collapsed.join(", ")}`;
  const verdict = d.monotone ? "**Reproduces.**" : "**Partly reproduces.**";
  return `${verdict} Collapse starts at ${d.collapseOnset} prompts: ${order}. Largest size tried: ${largest}.`;
}

async function datasetSection(results: StudyResults, out: Output): Promise<string> {
  const d = analyzeDataset(results);
  const parts = [`## 4. Dataset size on ${results.plan.focusModel}: small data does not collapse, large data does`];
  if (d.rows.length === 0) return [...parts, "The plan has no dataset runs."].join("\n\n");
  parts.push(
    mdTable(
      ["prompts", "runs", "MCS (median)", "collapsed runs", "MCS per seed", "val peak (median)", "val final (median)"],
      d.rows.map((r) => [
        String(r.size), String(r.runs.length), r.mcsLabel || "–", `${r.collapsedRuns} of ${r.runs.length}`,
        r.runs.map((s) => `s${s.seed}: ${formatMcs(s.mcs)}`).join(" · "), acc(r.peakVal), acc(r.finalVal),
      ]),
    ),
  );
  const firsts = d.rows.map((r) => ({ size: r.size, run: runById(results, firstSeed(r.runs)!.id) }));
  const threshold = firsts[0]!.run.spec.config.collapseThreshold;
  const ra = await writeChart(
    out,
    "dataset-reward-accuracy.png",
    lineChart({
      title: "Reward accuracy by dataset size (majority_vote)",
      xLabel: "step",
      yLabel: "train/reward_accuracy",
      yMin: 0,
      yMax: 1,
      series: firsts.map(({ size, run }, i) => ({ label: `${size} prompts (seed ${run.spec.config.seed})`, points: trainPoints(run, METRICS.rewardAccuracy), color: colorFor(String(size), i) })),
      hlines: [{ y: threshold, label: `MCS threshold (${threshold})` }],
    }),
  );
  const val = await writeChart(
    out,
    "dataset-val-accuracy.png",
    lineChart({
      title: "Val accuracy by dataset size (majority_vote)",
      xLabel: "step",
      yLabel: "val/accuracy",
      yMin: 0,
      yMax: 1,
      series: firsts.map(({ size, run }, i) => ({ label: `${size} prompts (seed ${run.spec.config.seed})`, points: valPoints(run), color: colorFor(String(size), i), markers: true })),
    }),
  );
  parts.push(image(ra, "Reward accuracy by dataset size"), image(val, "Val accuracy by dataset size"));
  parts.push(`**Findings.** ${datasetFindings(d, results.plan.steps)}`);
  parts.push(DISCUSSION_PLACEHOLDER);
  return parts.join("\n\n");
}

// ---------------------------------------------------------------------------------------------
// Test-time training.

export function tttFindings(pairs: readonly TttPair[]): string {
  const complete = pairs.filter((p) => p.standard !== null);
  if (complete.length === 0) return "No test-time-training run has a standard run to compare with.";
  const lines = complete.map((p) => {
    const t = p.ttt;
    const s = p.standard!;
    return (
      `seed ${t.seed}: test-time training peaks at ${signed(t.gain)} over the initial val accuracy (final ${signed(t.val.final! - t.val.initial!)}, MCS ${formatMcs(t.mcs)}); ` +
      `the standard run peaks at ${signed(s.gain)} (final ${signed(s.val.final! - s.val.initial!)}, MCS ${formatMcs(s.mcs)})`
    );
  });
  const tttHolds = complete.filter((p) => p.ttt.mcs.censored && !clears(p.ttt.val.fall, T.accuracyMargin)).length;
  const standardFalls = complete.filter((p) => !p.standard!.mcs.censored || clears(p.standard!.val.fall, T.accuracyMargin)).length;
  const verdict =
    tttHolds === complete.length && standardFalls === complete.length
      ? "**Reproduces.** Test-time training on the small validation set does not collapse, while the standard run does."
      : tttHolds === complete.length
        ? "**Partly reproduces.** Test-time training does not collapse, but neither did the standard run here, so the contrast does not show."
        : `**Does not reproduce.** Test-time training collapsed or lost at least ${T.accuracyMargin} of val accuracy from its peak in ${complete.length - tttHolds} of ${complete.length} seeds.`;
  return `${verdict} ${lines.join("; ")}.`;
}

async function tttSection(results: StudyResults, out: Output): Promise<string> {
  const pairs = analyzeTtt(results);
  const parts = [`## 5. Test-time training on ${results.plan.focusModel}`];
  if (pairs.length === 0) return [...parts, "The plan has no test-time-training runs."].join("\n\n");
  parts.push(
    "majority_vote trained on the validation prompts themselves (trainOnValidation) beside the standard run (training split) of the same model and seed.",
  );
  parts.push(
    mdTable(
      ["run", "kind", ...RUN_HEADER, "peak gain", "MCS"],
      pairs.flatMap((p) =>
        [p.ttt, p.standard].filter((s): s is RunSummary => s !== null).map((s) => [s.id, s.ttt ? "test-time" : "standard", ...runRow(s), signed(s.gain), formatMcs(s.mcs)]),
      ),
    ),
  );
  const p = pairs[0]!;
  const series: LineSeries[] = [
    { label: `test-time training (seed ${p.ttt.seed})`, points: valPoints(p.tttRun), color: colorFor("", 1), markers: true },
  ];
  if (p.standardRun) series.push({ label: `standard (seed ${p.standard!.seed})`, points: valPoints(p.standardRun), color: colorFor("", 0), markers: true });
  const chart = await writeChart(out, "ttt-val-accuracy.png", lineChart({ title: "Val accuracy: test-time training vs standard", xLabel: "step", yLabel: "val/accuracy", yMin: 0, yMax: 1, series }));
  parts.push(image(chart, "Test-time training vs standard"));
  parts.push(`**Findings.** ${tttFindings(pairs)}`);
  parts.push(DISCUSSION_PLACEHOLDER);
  return parts.join("\n\n");
}

// ---------------------------------------------------------------------------------------------
// External rewards.

export function externalFindings(rows: readonly MethodRow[]): string {
  const firsts = rows.map((r) => firstSeed(r.runs)!);
  const lines = firsts.map((s) => `- ${methodSentence(s)} Final minus initial: ${signed(s.val.final !== null && s.val.initial !== null ? s.val.final - s.val.initial : null)}.`);
  const sv = firsts.find((s) => s.reward === "self_verification");
  const intrinsic = firsts.filter((s) => s.reward !== "self_verification" && s.reward !== "ground_truth");
  let head = "";
  if (sv && sv.val.initial !== null && sv.val.final !== null) {
    const kept = sv.val.final - sv.val.initial;
    const svHolds = clears(kept, T.accuracyMargin);
    const intrinsicFell = intrinsic.filter((s) => clears(s.val.fall, T.accuracyMargin));
    head = svHolds
      ? `**${intrinsicFell.length === intrinsic.length && intrinsic.length > 0 ? "Reproduces" : "Partly reproduces"}.** self_verification ends ${signed(kept)} above its initial val accuracy` +
        (intrinsic.length ? `; ${intrinsicFell.length} of ${intrinsic.length} intrinsic methods fell at least ${T.accuracyMargin} from their peak (${intrinsicFell.map((s) => s.reward).join(", ") || "none"}).` : ".")
      : `**Does not reproduce.** self_verification ends ${signed(kept)} from its initial val accuracy, short of the ${T.accuracyMargin} margin: the computed check did not carry the policy past the confidence ceiling here.`;
  }
  return [head, "", ...lines].join("\n");
}

async function externalSection(results: StudyResults, out: Output): Promise<string> {
  const rows = analyzeExternal(results);
  const parts = [`## 6. External rewards on ${results.plan.externalModel} (Countdown)`];
  if (rows.length === 0) return [...parts, "The plan has no external runs."].join("\n\n");
  parts.push("On Countdown the validation check is a computation (the proposed expression is evaluated), so val accuracy needs no labels.");
  parts.push(mdTable(["method", ...RUN_HEADER, "failure mode"], rows.flatMap((r) => r.runs.map((s) => [r.method, ...runRow(s), s.reward === "ground_truth" ? "–" : s.failure.mode]))));
  const firsts = rows.map((r) => ({ s: firstSeed(r.runs)!, run: runById(results, firstSeed(r.runs)!.id) }));
  const val = await writeChart(
    out,
    "external-val-accuracy.png",
    lineChart({
      title: "Countdown val accuracy per method",
      xLabel: "step",
      yLabel: "val/accuracy",
      yMin: 0,
      yMax: 1,
      series: firsts.map(({ s, run }, i) => ({ label: `${s.reward} (seed ${s.seed})`, points: valPoints(run), color: colorFor(s.reward, i), markers: true })),
    }),
  );
  const gt = await writeChart(
    out,
    "external-gt-reward.png",
    lineChart({
      title: `Countdown ground-truth reward per method (moving mean, ${T.smoothingWindow} steps)`,
      xLabel: "step",
      yLabel: "train/ground_truth_reward",
      yMin: 0,
      yMax: 1,
      series: firsts.map(({ s, run }, i) => ({ label: `${s.reward} (seed ${s.seed})`, points: smoothedSeries(run, METRICS.groundTruthReward), color: colorFor(s.reward, i) })),
    }),
  );
  parts.push(image(val, "External methods val accuracy"), image(gt, "External methods GT reward"));
  parts.push(`**Findings.** ${externalFindings(rows)}`);
  parts.push(DISCUSSION_PLACEHOLDER);
  return parts.join("\n\n");
}

// ---------------------------------------------------------------------------------------------
// CSVs.

const CURVE_METRICS = [
  METRICS.rewardAccuracy, METRICS.groundTruthReward, METRICS.proxyReward, METRICS.entropy, METRICS.lengthMean, METRICS.repetition, METRICS.valAccuracy,
] as const;

export const RUNS_CSV_COLUMNS = [
  "run_id", "sections", "model", "reward", "seed", "dataset_size", "ttt", "lr", "steps", "mcs_step", "mcs_censored",
  "val_initial", "val_peak", "val_peak_step", "val_final", "gt_gain", "failure_mode", "seconds",
] as const;

export const CURVES_CSV_COLUMNS = ["run_id", "step", ...CURVE_METRICS] as const;

function csv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  // CRLF records as the dashboard's exports (RFC 4180); empty cells for missing values.
  return stringify([header as unknown[], ...(rows as unknown[][])], {
    record_delimiter: "windows",
    cast: { boolean: (v) => (v ? "true" : "false"), number: (v) => String(v) },
  });
}

/** Accuracies, rewards and gains in runs.csv and models.csv: 3 decimals, as in the README. */
function r3(v: number | null | undefined): number | null {
  return v === null || v === undefined || !Number.isFinite(v) ? null : Math.round(v * 1000) / 1000;
}

function runsCsv(results: StudyResults): string {
  return csv(
    RUNS_CSV_COLUMNS,
    results.runs.map((run) => {
      const s = summarizeRun(run);
      const intrinsic = s.reward !== "ground_truth";
      return [
        s.id, s.sections.join(" "), s.model, s.reward, s.seed, s.datasetSize, s.ttt, s.lr, s.steps, s.mcs.step, s.mcs.censored,
        r3(s.val.initial), r3(s.val.peak), s.val.peakStep, r3(s.val.final), s.reward === "ground_truth" ? r3(s.gain) : null,
        intrinsic ? s.failure.mode : null, Number(run.seconds.toFixed(1)),
      ];
    }),
  );
}

function modelsCsv(zoo: ZooAnalysis): string {
  const keys = staticLabels(zoo);
  return csv(
    ["rank", "model", "family", "parameters", "pretraining_steps", "corruption", ...keys.map((k) => `static_${k.replace(/[^A-Za-z0-9@]+/g, "_").toLowerCase()}`), "mcs_median", "mcs_censored", "mcs_label", "mcs_per_seed", "gt_gain_median", "gt_gain_per_seed", "pass_at_k_gain"],
    zoo.rows.map((r) => [
      r.row.rank, r.row.model, r.row.family, r.parameters, r.pretrainingSteps, r.corruption, ...keys.map((k) => r3(r.staticEval[k])),
      r.row.mcs?.step ?? null, r.row.mcs ? r.row.mcs.censored : null, r.row.mcsLabel,
      r.mcsPerSeed.map((s) => `s${s.seed}:${formatMcs(s.value)}`).join(" "), r3(r.row.gtGain),
      r.gtGainPerSeed.map((s) => `s${s.seed}:${r3(s.value)}`).join(" "), r3(r.row.passAtKGain),
    ]),
  );
}

function curvesCsv(results: StudyResults): string {
  const rows: unknown[][] = [];
  for (const run of results.runs) {
    for (const rec of [...run.records].sort((a, b) => a.step - b.step)) {
      rows.push([run.spec.id, rec.step, ...CURVE_METRICS.map((m) => (Number.isFinite(rec.metrics[m]) ? rec.metrics[m] : null))]);
    }
  }
  return csv(CURVES_CSV_COLUMNS, rows);
}

// ---------------------------------------------------------------------------------------------
// The report.

function header(results: StudyResults): string {
  const m = results.machine;
  const runSeconds = results.runs.reduce((a, r) => a + r.seconds, 0);
  return [
    "# URLVR Lab study: rise, fall and Model Collapse Step on the project's base-model zoo",
    `This report reproduces the findings of "How Far Can Unsupervised RLVR Scale LLM Training?" (arXiv 2603.08660) with the ` +
      `project's engine and its own base models (models/zoo.ts). Every number below is computed from the runs in this folder's CSVs.`,
    mdTable(
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
    ),
    "## How to reproduce",
    "```sh\nnpm run zoo     # rebuild the base models from their recipes (models/zoo.ts)\nnpm run study   # train every run of the plan and write this report\n```",
    "Data: [runs.csv](runs.csv) (one row per run), [models.csv](models.csv) (the zoo table), [curves.csv](curves.csv) (every run and step).",
  ].join("\n\n");
}

/** Writes README.md, the charts and the CSVs into outDir; returns the paths written. */
export async function writeReport(results: StudyResults, outDir: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const out: Output = { dir: outDir, written: [] };
  const sections = [
    header(results),
    await zooSection(results, out),
    // Right after the zoo: it says whether the zoo's MCS-vs-GT-gain comparison is made in a regime where both can happen.
    await lrSection(results, out),
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
