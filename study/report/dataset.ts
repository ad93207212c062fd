// Section 4, the dataset size on the focus model: the paper finds that majority voting does not
// collapse on a small training set and does on a large one; this section says at which size it starts.
import { METRICS } from "../../runner/engine/metrics/metric-names";
import { formatMcs } from "../../server/services/leaderboard-table";
import { type DatasetAnalysis, analyzeDataset } from "../analysis";
import { colorFor } from "../charts";
import type { StudyResults } from "../types";
import { type Output, rewardAccuracyChart, trainPoints, valAccuracyChart, valPoints } from "./figures";
import { DISCUSSION_PLACEHOLDER, acc, image, mdTable } from "./markdown";
import { firstSeed, runById } from "./runs";

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

export async function datasetSection(results: StudyResults, out: Output): Promise<string> {
  const d = analyzeDataset(results);
  const parts = [`## 3. Dataset size on ${results.plan.focusModel}: does a small dataset collapse less?`];
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
  const ra = await rewardAccuracyChart(
    out,
    "dataset-reward-accuracy.png",
    "Reward accuracy by dataset size (majority_vote)",
    firsts.map(({ size, run }, i) => ({ label: `${size} prompts (seed ${run.spec.config.seed})`, points: trainPoints(run, METRICS.rewardAccuracy), color: colorFor(String(size), i) })),
    threshold,
  );
  const val = await valAccuracyChart(
    out,
    "dataset-val-accuracy.png",
    "Val accuracy by dataset size (majority_vote)",
    firsts.map(({ size, run }, i) => ({ label: `${size} prompts (seed ${run.spec.config.seed})`, points: valPoints(run), color: colorFor(String(size), i), markers: true })),
  );
  parts.push(image(ra, "Reward accuracy by dataset size"), image(val, "Val accuracy by dataset size"));
  parts.push(`**Findings.** ${datasetFindings(d, results.plan.steps)}`);
  parts.push(DISCUSSION_PLACEHOLDER);
  return parts.join("\n\n");
}
