// Section 1, the zoo: whether MCS ranks the base models like their gain from ground-truth RL, beside
// the paper's own table. The zoo table's static-evaluation columns are shared with models.csv.
import { METRICS } from "../../runner/engine/metrics/metricNames";
import { spearman } from "../../runner/engine/metrics/mcs";
import { type McsValue, formatMcs } from "../../server/services/leaderboard-table";
import { ANALYSIS_THRESHOLDS as T, type ZooAnalysis, analyzeZoo, rhoVerdict, runsIn, summarizeRun } from "../analysis";
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

/** Level of the permutation test below which a positive rank correlation counts as established. */
const SIGNIFICANCE = 0.05;

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

export async function zooSection(results: StudyResults, out: Output): Promise<string> {
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

