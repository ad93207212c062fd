// Section 6, external rewards on Countdown, where val accuracy is a computed check that needs no
// labels: whether self_verification keeps improving where the intrinsic methods fall.
import { METRICS } from "../../runner/engine/metrics/metric-names";
import { ANALYSIS_THRESHOLDS as T, type MethodRow, analyzeExternal, clears, smoothedSeries } from "../analysis";
import { colorFor, lineChart } from "../charts";
import type { StudyResults } from "../types";
import { type Output, valAccuracyChart, valPoints, writeChart } from "./figures";
import { DISCUSSION_PLACEHOLDER, image, mdTable, signed } from "./markdown";
import { methodSentence } from "./methods";
import { RUN_HEADER, finalChange, firstSeed, runById, runRow } from "./runs";

export function externalFindings(rows: readonly MethodRow[]): string {
  const firsts = rows.map((r) => firstSeed(r.runs)!);
  const lines = firsts.map((s) => `- ${methodSentence(s)} Final minus initial: ${signed(finalChange(s.val))}.`);
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

export async function externalSection(results: StudyResults, out: Output): Promise<string> {
  const rows = analyzeExternal(results);
  const parts = [`## 5. External rewards on ${results.plan.externalModel} (Countdown)`];
  if (rows.length === 0) return [...parts, "The plan has no external runs."].join("\n\n");
  parts.push("On Countdown the validation check is a computation (the proposed expression is evaluated), so val accuracy needs no labels.");
  parts.push(mdTable(["method", ...RUN_HEADER, "failure mode"], rows.flatMap((r) => r.runs.map((s) => [r.method, ...runRow(s), s.reward === "ground_truth" ? "–" : s.failure.mode]))));
  const firsts = rows.map((r) => ({ s: firstSeed(r.runs)!, run: runById(results, firstSeed(r.runs)!.id) }));
  const val = await valAccuracyChart(
    out,
    "external-val-accuracy.png",
    "Countdown val accuracy per method",
    firsts.map(({ s, run }, i) => ({ label: `${s.reward} (seed ${s.seed})`, points: valPoints(run), color: colorFor(s.reward, i), markers: true })),
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
