// Section 3, the intrinsic rewards on the focus model: whether each rises then falls on val accuracy,
// and how it fails (length or repetition collapse, reward hacking, gradual degradation).
import { METRICS } from "../../runner/engine/metrics/metric-names";
import type { MetricPoint } from "../../runner/engine/metrics/mcs";
import { formatMcs } from "../../server/services/leaderboard-table";
import { ANALYSIS_THRESHOLDS as T, type MethodRow, type RunSummary, analyzeMethods, clears, shapeOf, smoothedSeries } from "../analysis";
import { type LineSeries, colorFor, lineChart } from "../charts";
import type { StudyResults, StudyRunResult } from "../types";
import { type Output, trainPoints, valPoints, writeChart } from "./figures";
import { DISCUSSION_PLACEHOLDER, acc, image, mdTable, signed } from "./markdown";
import { RUN_HEADER, firstSeed, runById, runRow } from "./runs";

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

export function methodsFindings(rows: readonly MethodRow[]): string {
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

export async function methodsSection(results: StudyResults, out: Output): Promise<string> {
  const rows = analyzeMethods(results);
  const parts = [`## 2. Intrinsic rewards on ${results.plan.focusModel}: do they rise, then fall?`];
  if (rows.length === 0) return [...parts, "The plan has no methods runs."].join("\n\n");
  parts.push(
    `One run per method and seed, ${results.plan.steps} steps. Val accuracy is the validation's val/accuracy on the held-out split (avg@k, sampled); the ground-truth ` +
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
