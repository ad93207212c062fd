// The learning-rate pilot (pre-registration Part B): ground_truth on the middle admitted model at
// each candidate rate, one seed; the rate with the largest GT gain becomes the main study's.
import { METRICS } from "../../runner/engine/metrics/metric-names";
import { type PilotRow, analyzePilot, choosePilotLearningRate, runsIn } from "../analysis";
import { colorFor } from "../charts";
import type { StudyResults } from "../types";
import { type Output, valAccuracyChart, valPoints } from "./figures";
import { acc, image, mdTable, signed } from "./markdown";

/** 1e-4 rather than 0.0001: the rates tried differ in their leading digit, which this keeps readable. */
export function lrText(lr: number): string {
  return lr.toExponential();
}

export function pilotTable(rows: readonly PilotRow[], chosen: number | null): string {
  return mdTable(
    ["learning rate", "initial val accuracy", "final (mean of last 3)", "GT gain ± se", "area (mean gain over steps)", ""],
    rows.map((r) => [
      lrText(r.lr),
      acc(r.gain?.initial),
      acc(r.gain?.final),
      r.gain ? `${signed(r.gain.gain)}${r.gain.gainSe === null ? "" : ` ± ${r.gain.gainSe.toFixed(3)}`}` : "–",
      signed(r.gain?.auc),
      r.lr === chosen ? "**chosen**" : "",
    ]),
  );
}

export function pilotFindings(rows: readonly PilotRow[]): string {
  const chosen = choosePilotLearningRate(rows);
  if (chosen === null) return "No pilot run has validations: no learning rate could be chosen.";
  const best = rows.find((r) => r.lr === chosen)!;
  return `By the pre-registered rule (the largest GT gain; on a tie, the smaller rate) the study trains at lr ${lrText(chosen)}: GT gain ${signed(best.gain!.gain)} on one seed.`;
}

/** The pilot as its own report (npm run study -- --pilot), or as a section of the main one. */
export async function pilotSection(results: StudyResults, out: Output, heading = "## The learning-rate pilot"): Promise<string> {
  const rows = analyzePilot(results);
  if (rows.length === 0) return "";
  const chosen = choosePilotLearningRate(rows);
  const runs = runsIn(results, "pilot");
  const chart = await valAccuracyChart(
    out,
    "pilot-val-accuracy.png",
    `ground_truth on ${results.plan.focusModel} per learning rate: val accuracy (avg@k)`,
    runs.map((r, i) => ({ label: `lr ${lrText(r.spec.config.lr)}`, points: valPoints(r), color: colorFor(String(r.spec.config.lr), i) })),
  );
  return [
    heading,
    `ground_truth on ${results.plan.focusModel} (the middle admitted model), seed 1, ${results.plan.steps} steps, at each candidate rate. ` +
      `GT gain is the leaderboard's: the mean of the last three validations (${METRICS.valAccuracy}) minus the initial one.`,
    pilotTable(rows, chosen),
    image(chart, "Pilot val accuracy"),
    `**Choice.** ${pilotFindings(rows)}`,
  ].join("\n\n");
}
