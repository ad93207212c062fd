// Section 5, test-time training on the focus model: majority voting trained on the validation prompts
// themselves, which the paper finds does not collapse, beside the standard run of the same seed.
import { formatMcs } from "../../server/services/leaderboard-table";
import { ANALYSIS_THRESHOLDS as T, type RunSummary, type TttPair, analyzeTtt, clears } from "../analysis";
import { type LineSeries, colorFor } from "../charts";
import type { StudyResults } from "../types";
import { type Output, valAccuracyChart, valPoints } from "./figures";
import { DISCUSSION_PLACEHOLDER, image, mdTable, signed } from "./markdown";
import { RUN_HEADER, runRow } from "./runs";

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

export async function tttSection(results: StudyResults, out: Output): Promise<string> {
  const pairs = analyzeTtt(results);
  const parts = [`## 4. Test-time training on ${results.plan.focusModel}`];
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
  const chart = await valAccuracyChart(out, "ttt-val-accuracy.png", "Val accuracy: test-time training vs standard", series);
  parts.push(image(chart, "Test-time training vs standard"));
  parts.push(`**Findings.** ${tttFindings(pairs)}`);
  parts.push(DISCUSSION_PLACEHOLDER);
  return parts.join("\n\n");
}
