// Section 1, the zoo: whether MCS ranks the base models like their gain from ground-truth RL, beside
// the paper's own table. The zoo table's static-evaluation columns are shared with models.csv.
import { METRICS } from "../../runner/engine/metrics/metricNames";
import { spearman } from "../../runner/engine/stats/rank";
import { type McsValue, type PredictorStats, formatMcs } from "../../server/services/leaderboard-table";
import { type ZooAnalysis, analyzeZoo, runsIn, summarizeRun } from "../analysis";
import { colorFor, scatterChart } from "../charts";
import type { StudyResults, StudyRunResult } from "../types";
import { type Output, rewardAccuracyChart, trainPoints, writeChart } from "./figures";
import { DISCUSSION_PLACEHOLDER, acc, image, mdTable, pText, perSeed, plural, rhoText, signed } from "./markdown";

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

export const ZOO_MCS_HEADER = "MCS (median)";

/** Static-evaluation column labels of any zoo model, in the order staticEvalFigures gives them. */
export function staticLabels(zoo: ZooAnalysis): string[] {
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

/** Every predictor against GT gain, as the leaderboard shows it. */
export function predictorTable(zoo: ZooAnalysis): string {
  const num = (x: number | null) => (x === null ? "–" : x.toFixed(2));
  const p = (x: number | null) => (x === null ? "–" : x < 0.001 ? "< 0.001" : x.toFixed(3));
  return mdTable(
    ["predictor vs GT gain", "models", "ρ [95%]", "p (ρ)", "τ-b", "p (τ)", "reliability", "power (ρ = 0.8)", "verdict"],
    zoo.leaderboard.predictors.map((s) => [
      s.label, String(s.n), `${num(s.rho)}${s.rhoInterval ? ` [${num(s.rhoInterval.lo)}, ${num(s.rhoInterval.hi)}]` : ""}`,
      `${p(s.pRho)} (${s.alternative === "greater" ? "one-sided" : "two-sided"})`, num(s.tau), p(s.pTau), num(s.reliability.value),
      s.power ? num(s.power.power) : "unknown", s.verdict,
    ]),
  ) + `\n\nGT gain's split-seed reliability: ${num(zoo.leaderboard.gtGainReliability.value)}.`;
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
  const stats = (k: PredictorStats["predictor"]) => zoo.leaderboard.predictors.find((p) => p.predictor === k)!;
  const mcs = stats("mcs"), pass = stats("pass_at_k_gain");
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

export async function zooSection(results: StudyResults, out: Output): Promise<string> {
  const zoo = analyzeZoo(results);
  const zooRuns = runsIn(results, "zoo");
  const parts: string[] = ["## 1. The zoo: does MCS rank base models like their gain from ground-truth RL?"];
  if (zooRuns.length === 0) return [...parts, "The plan has no zoo runs."].join("\n\n");
  const steps = results.plan.steps;
  const threshold = zooRuns[0]!.spec.config.collapseThreshold;
  parts.push(
    `Each ranked model trained with majority_vote (for MCS: the first step at which train/reward_accuracy falls below ` +
      `${threshold}) and with ground_truth (for GT gain: the mean of the last three validations minus the initial one), ${steps} steps, seeds ` +
      `${results.plan.seeds.join(", ")}. The table follows the dashboard's leaderboard rules ` +
      `(server/services/leaderboard-table.ts): medians over seeds; a censored MCS "> N" means the run never fell below the ` +
      `threshold in N steps and ranks above every collapsed one.`,
  );
  const t = zooTable(zoo);
  parts.push(mdTable(t.header, t.rows));
  parts.push(predictorTable(zoo));
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
    threshold,
  );
  const scatter = await writeChart(
    out,
    "zoo-mcs-vs-gt-gain.png",
    scatterChart({
      title: "Median MCS vs median GT gain per model",
      xLabel: "MCS (median over seeds, steps)",
      yLabel: "GT gain (mean of last three - initial val accuracy)",
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

