// Section 1, the zoo: whether MCS ranks the base models like their gain from ground-truth RL, by the
// pre-registered analysis (docs/study/PREREGISTRATION.md), beside the paper's own table. The zoo
// table's static-evaluation columns are shared with models.csv.
import { admission, ADMISSION } from "../../models/zoo";
import { METRICS } from "../../runner/engine/metrics/metric-names";
import { spearman } from "../../runner/engine/stats/rank";
import { type Leaderboard, type McsValue, type PredictorStats, formatMcs } from "../../server/services/leaderboard-table";
import { type ZooAnalysis, analyzeZoo, relativeCollapseStep, runsIn, seedsForPower, studyLeaderboard, summarizeRun } from "../analysis";
import { colorFor, scatterChart } from "../charts";
import type { StudyResults, StudyRunResult } from "../types";
import { type Output, rewardAccuracyChart, trainPoints, writeChart } from "./figures";
import { DISCUSSION_PLACEHOLDER, acc, image, mdTable, perSeed, plural, rhoText, signed } from "./markdown";

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

/** The secondary collapse rules: reward accuracy below these shares of its starting level. */
export const RELATIVE_FACTORS = [0.5, 0.2] as const;

export const ZOO_MCS_HEADER = "MCS (median) [95%]";

/** Static-evaluation column labels of any zoo model, in the order staticEvalFigures gives them. */
export function staticLabels(zoo: ZooAnalysis): string[] {
  return [...new Set(zoo.rows.flatMap((r) => Object.keys(r.staticEval)))];
}

const pctText = (x: number | null) => (x === null ? "–" : `${+(x * 100).toFixed(1)}%`);

function zooTable(zoo: ZooAnalysis): { header: string[]; rows: string[][] } {
  const present = staticLabels(zoo);
  // Exposure is a column only for a zoo built from pretraining mixes.
  const mixes = zoo.rows.some((r) => r.exposure !== null);
  const header = [
    "rank", "model", "pretraining steps", ...(mixes ? ["exposure"] : []), "parameters", "corruption", ...present.map((l) => (l === "greedy" ? "static greedy" : l)),
    ZOO_MCS_HEADER, "MCS per seed", "GT gain (mean) [95%]", "GT gain per seed", "pass@k gain", "initial val accuracy",
  ];
  const rows = zoo.rows.map((r) => [
    r.row.rank === null ? "–" : String(r.row.rank),
    r.row.model,
    r.pretrainingSteps === null ? "–" : r.pretrainingSteps.toLocaleString("en-US"),
    ...(mixes ? [pctText(r.exposure)] : []),
    r.parameters === null ? "–" : r.parameters.toLocaleString("en-US"),
    r.corruption,
    ...present.map((l) => acc(r.staticEval[l])),
    `${r.row.mcsLabel || "–"}${r.row.mcsInterval ? ` ${r.row.mcsInterval.label}` : ""}`,
    perSeed(r.mcsPerSeed, (v: McsValue) => formatMcs(v)),
    `${signed(r.row.gtGain)}${r.row.gtGainInterval ? ` [${signed(r.row.gtGainInterval.lo)}, ${signed(r.row.gtGainInterval.hi)}]` : ""}`,
    perSeed(r.gtGainPerSeed, signed),
    signed(r.row.passAtKGain),
    acc(r.row.initialAccuracy),
  ]);
  return { header, rows };
}

/** Every ranked model with its admission gate figures and verdict. */
function admissionTable(results: StudyResults): string {
  const ranked = [...results.plan.rankedModels, ...results.plan.excludedModels];
  return mdTable(
    ["model", "pass@1 (T = 1)", "pass@8", "pass@8 − pass@1", "admitted", "why not"],
    ranked.map((name) => {
      const a = admission(results.models[name]?.evaluation);
      return [
        name, acc(a.passAt1), acc(a.passAt8), a.passAt1 === null || a.passAt8 === null ? "–" : acc(a.passAt8 - a.passAt1),
        a.admitted ? "yes" : "**no**", a.reasons.join("; "),
      ];
    }),
  );
}

/** Every predictor against GT gain, as the leaderboard shows it. */
export function predictorTable(board: Leaderboard): string {
  const num = (x: number | null) => (x === null ? "–" : x.toFixed(2));
  const p = (x: number | null) => (x === null ? "–" : x < 0.001 ? "< 0.001" : x.toFixed(3));
  return (
    mdTable(
      ["predictor vs GT gain", "models", "ρ [95%]", "p (ρ)", "τ-b", "p (τ)", "reliability", "power (ρ = 0.8)", "verdict"],
      board.predictors.map((s) => [
        s.label, String(s.n), `${num(s.rho)}${s.rhoInterval ? ` [${num(s.rhoInterval.lo)}, ${num(s.rhoInterval.hi)}]` : ""}`,
        `${p(s.pRho)} (${s.alternative === "greater" ? "one-sided" : "two-sided"})`, num(s.tau), p(s.pTau), num(s.reliability.value),
        s.power ? num(s.power.power) : "unknown", s.verdict,
      ]),
    ) + `\n\nGT gain's split-seed reliability: ${num(board.gtGainReliability.value)} (one seed: ${num(board.gtGainReliability.single ?? null)}).`
  );
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

const stat = (board: Leaderboard, k: PredictorStats["predictor"]) => board.predictors.find((p) => p.predictor === k)!;

export function zooFindings(zoo: ZooAnalysis, results: StudyResults): string {
  const mcs = stat(zoo.leaderboard, "mcs"), pass = stat(zoo.leaderboard, "pass_at_k_gain");
  const out: string[] = [];
  const headline: Record<PredictorStats["verdict"], string> = {
    supported: "**Reproduces.**",
    "not-supported": "**Does not reproduce.**",
    underpowered: "**Cannot tell (underpowered).**",
    "too-few-models": "**Cannot tell.**",
  };
  out.push(`${headline[mcs.verdict]} ${mcs.summary}`);
  if (mcs.rho !== null && pass.rho !== null) {
    const cmp =
      mcs.rho > pass.rho
        ? "MCS ranks the models closer to GT gain than pass@k gain does, as in the paper"
        : mcs.rho === pass.rho
          ? "MCS and pass@k gain rank the models equally well"
          : "pass@k gain ranks the models closer to GT gain than MCS does: the paper's advantage of MCS over pass@k does not reproduce";
    out.push(`${pass.summary} Point estimates only: ${cmp}.`);
  } else {
    out.push(pass.summary);
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

/** What it would take: seeds per model for 0.8 power at these reliabilities, and the speed that fits it in the same time. */
function powerProjection(zoo: ZooAnalysis, results: StudyResults): string {
  const need = seedsForPower(zoo.leaderboard, results.plan.seeds.length);
  const n = stat(zoo.leaderboard, "mcs").n;
  if (need.seeds === null) {
    return Number.isNaN(need.power)
      ? "The one-seed reliabilities could not be estimated, so no projection of the power is possible."
      : `Even 30 seeds per model would leave the test at power ${need.power.toFixed(2)} with ${n} models: more models, ` +
          `or models that differ more, are needed, not only more compute.`;
  }
  return (
    `At the one-seed reliabilities measured here, ${need.seeds} seeds per model would give the test power ${need.power.toFixed(2)} with ` +
    `${n} models: ${need.computeFactor!.toFixed(1)}x this study's zoo runs, so ${need.computeFactor! > 1 ? `an engine ${need.computeFactor!.toFixed(1)}x faster would fit it in the same time` : "this study's compute already suffices"}.`
  );
}

/** The pre-registered secondary analyses: relative collapse rules, and every ranked model admitted or not. */
function secondary(results: StudyResults): string {
  const rows: string[][] = [];
  const line = (label: string, board: Leaderboard) => {
    const s = stat(board, "mcs");
    rows.push([label, String(s.n), rhoText(s.rho), s.pRho === null ? "–" : s.pRho.toFixed(3), s.power ? s.power.power.toFixed(2) : "unknown", s.verdict]);
  };
  for (const f of RELATIVE_FACTORS) line(`reward accuracy below ${f}x its start (admitted models)`, studyLeaderboard(results, { collapse: (run) => relativeCollapseStep(run, f) }));
  if (results.plan.excludedModels.length > 0) {
    line(
      "MCS, every ranked model (admitted or not)",
      studyLeaderboard(results, { sections: ["zoo", "excluded"], models: [...results.plan.rankedModels, ...results.plan.excludedModels] }),
    );
  }
  return mdTable(["secondary analysis (vs GT gain)", "models", "ρ", "p (one-sided)", "power (ρ = 0.8)", "verdict"], rows);
}

export async function zooSection(results: StudyResults, out: Output): Promise<string> {
  const zoo = analyzeZoo(results);
  const zooRuns = runsIn(results, "zoo");
  const parts: string[] = ["## 1. The zoo: does MCS rank base models like their gain from ground-truth RL?"];
  if (zooRuns.length === 0) return [...parts, "The plan has no zoo runs."].join("\n\n");
  const c = zooRuns[0]!.spec.config;
  parts.push(
    `Each admitted model trained with majority_vote (MCS: the first step at which train/reward_accuracy falls below ` +
      `${c.collapseThreshold}) and with ground_truth (GT gain: the mean of the last three validations minus the initial one), ` +
      `${results.plan.steps} steps at lr ${c.lr}, seeds ${results.plan.seeds.join(", ")}, fresh prompts, ${c.maxNewTokens} new tokens, ` +
      `validation avg@${c.valK} at temperature ${c.valTemperature} / top-p ${c.valTopP} on ${c.fullValSize} held-out prompts (full evaluations). ` +
      `The table follows the dashboard's leaderboard rules (server/services/leaderboard-table.ts): MCS is the median over seeds, ` +
      `a censored "> N" ranks above every collapsed value, brackets are 95% bootstrap intervals.`,
  );
  parts.push(
    `**Admission** (pre-registered gates: sampled pass@1 in [${ADMISSION.minPassAt1}, ${ADMISSION.maxPassAt1}], pass@8 at least ` +
      `${ADMISSION.minHeadroom} above it, on the static evaluation of the RL task):\n\n${admissionTable(results)}`,
  );
  const t = zooTable(zoo);
  parts.push(mdTable(t.header, t.rows));
  parts.push(`**Primary analysis** (pre-registered: MCS vs GT gain, Spearman, one-sided exact permutation test at 0.05; ` +
    `a verdict only at 0.8 power to detect ρ = 0.8), with the paper's baselines:\n\n${predictorTable(zoo.leaderboard)}`);
  parts.push(`**Findings.** ${zooFindings(zoo, results)}`);
  parts.push(`**Power.** ${powerProjection(zoo, results)}`);
  parts.push(`**Secondary analyses** (pre-registered):\n\n${secondary(results)}`);
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
  const curves = await rewardAccuracyChart(
    out,
    "zoo-reward-accuracy.png",
    `Reward accuracy of majority_vote runs (seed ${seed})`,
    mv.map((r, i) => ({ label: r.spec.config.model, points: trainPoints(r, METRICS.rewardAccuracy), color: colorFor(r.spec.config.model, i) })),
    c.collapseThreshold,
  );
  const scatter = await writeChart(
    out,
    "zoo-mcs-vs-gt-gain.png",
    scatterChart({
      title: "Median MCS vs mean GT gain per model",
      xLabel: "MCS (median over seeds, steps)",
      yLabel: "GT gain (mean of last three - initial val accuracy)",
      points: zoo.rows
        .filter((r) => r.row.mcs && r.row.gtGain !== null)
        .map((r) => ({ x: r.row.mcs!.step, y: r.row.gtGain!, label: r.row.model, censored: r.row.mcs!.censored })),
    }),
  );
  parts.push(image(curves, "Reward accuracy per model"), image(scatter, "MCS vs GT gain"));
  parts.push(DISCUSSION_PLACEHOLDER);
  return parts.join("\n\n");
}
