// Section 2, the learning rate: where ground-truth RL gains and where majority voting collapses on the
// focus model, which says whether the zoo's comparison of MCS with GT gain is made in a regime where
// both can happen.
import { METRICS } from "../../runner/engine/metrics/metricNames";
import { formatMcs } from "../../server/services/leaderboard-table";
import { ANALYSIS_THRESHOLDS as T, type LearningRateRow, analyzeLearningRates, learningRateTradeoff } from "../analysis";
import { colorFor } from "../charts";
import type { StudyResults } from "../types";
import { type Output, rewardAccuracyChart, trainPoints, valAccuracyChart, valPoints } from "./figures";
import { DISCUSSION_PLACEHOLDER, acc, image, mdTable, peakText, signed } from "./markdown";
import { finalChange, runById } from "./runs";

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
    const others = gts.filter((r) => r !== best).map((r) => `${label(r.lr)} ${signed(r.gtGain)} (final − initial ${signed(finalChange(r.val))})`);
    out.push(
      `ground_truth gains most at ${label(best.lr)}: val accuracy ${acc(best.val.initial)} → peak ${acc(best.val.peak)} at step ${best.val.peakStep} ` +
        `→ ${acc(best.val.final)}, GT gain ${signed(best.gtGain)} (final − initial ${signed(finalChange(best.val))})` +
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

export async function lrSection(results: StudyResults, out: Output): Promise<string> {
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
        peakText(r.val), acc(r.val.final), signed(r.gtGain), klText(r.finalKl),
      ]),
    ),
  );
  // One color per rate across both figures; the reward is told apart by the line style.
  const color = (lr: number) => colorFor(String(lr), rates.indexOf(lr));
  const val = await valAccuracyChart(
    out,
    "lr-val-accuracy.png",
    "Val accuracy per learning rate (solid: ground_truth, dashed: majority_vote)",
    rows.map((r) => ({
      label: `lr ${lrText(r.lr)} ${r.reward} (seed ${r.seed})`,
      points: valPoints(runById(results, r.runId)),
      color: color(r.lr),
      dashed: r.reward !== "ground_truth",
      markers: true,
    })),
  );
  parts.push(image(val, "Val accuracy per learning rate"));
  const mv = rows.filter((r) => r.reward === "majority_vote");
  if (mv.length > 0) {
    const threshold = mv[0]!.collapseThreshold;
    const ra = await rewardAccuracyChart(
      out,
      "lr-reward-accuracy.png",
      "Reward accuracy of majority_vote per learning rate",
      mv.map((r) => ({ label: `lr ${lrText(r.lr)} (seed ${r.seed})`, points: trainPoints(runById(results, r.runId), METRICS.rewardAccuracy), color: color(r.lr), dashed: true })),
      threshold,
    );
    parts.push(image(ra, "Reward accuracy of majority_vote per learning rate"));
  }
  parts.push(`**Findings.** ${lrFindings(rows, plan.learningRates)}`);
  parts.push(DISCUSSION_PLACEHOLDER);
  return parts.join("\n\n");
}
