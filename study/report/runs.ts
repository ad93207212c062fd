// Looking up runs and describing one run in a table row: the methods, test-time-training and external
// sections list their runs with the same columns.
import { ANALYSIS_THRESHOLDS as T, type RunSummary, shapeOf } from "../analysis";
import type { StudyResults, StudyRunResult } from "../types";
import { acc, peakText } from "./markdown";

/** The first seed's run of each group: curves of several seeds on one figure would be unreadable. */
export function firstSeed(runs: readonly RunSummary[]): RunSummary | undefined {
  return [...runs].sort((a, b) => a.seed - b.seed)[0];
}

export function runById(results: StudyResults, id: string): StudyRunResult {
  const r = results.runs.find((x) => x.spec.id === id);
  if (!r) throw new Error(`run ${id} is not in the results`);
  return r;
}

/** Final minus initial val accuracy, null when either is missing. */
export function finalChange(val: { initial: number | null; final: number | null }): number | null {
  return val.final !== null && val.initial !== null ? val.final - val.initial : null;
}

export const RUN_HEADER = ["seed", "val initial", "val peak", "val final", "val shape", "GT reward (smoothed) initial → peak → final", "proxy reward initial → final"];

export function runRow(s: RunSummary): string[] {
  return [
    String(s.seed),
    acc(s.val.initial),
    peakText(s.val),
    acc(s.val.final),
    shapeOf(s.val, T.accuracyMargin),
    `${acc(s.gtReward.initial)} → ${acc(s.gtReward.peak)} → ${acc(s.gtReward.final)}`,
    `${acc(s.proxyReward.initial)} → ${acc(s.proxyReward.final)}`,
  ];
}
