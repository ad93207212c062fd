// The leaderboard table, pure (no database): base models ranked by Model Collapse Step (MCS), beside initial accuracy,
// pass@k, and the gain from ground-truth RL, with the rank correlations the paper reports.
//
// MCS itself is never computed here: the metric writer keeps Run.mcsStep / Run.mcsCensored current
// with the engine's modelCollapseStep (runner/engine/metrics/mcs.ts), and this file only aggregates
// those per base model. The dashboard (leaderboard.ts) and the study (study/) both build their
// tables here, so the two show the same numbers for the same runs. Rules, in one place:
//
// - Runs counted: status SUCCEEDED, with the default training protocol (usesDefaultProtocol in
//   runner/engine/train/config.ts: learning rate, dataset size, group size, test-time training...
//   at their defaults, as the paper defines MCS). MCS comes from majority_vote runs whose mcsStep is
//   set; GT gain from ground_truth runs.
// - Censored values. A run that never fell below the threshold has MCS "> N" (N = its last step).
//   For ORDERING, a censored value counts as +infinity, with N breaking ties between censored
//   values: it ranks above every collapsed value (never as if it had collapsed), and a longer
//   censored run above a shorter one. Collapsed values order by step.
// - Median over seeds (compareMcs order): odd n takes the middle value; even n the mean of the two
//   middle values. When a middle value is censored, the median is censored too and shown as "> X",
//   where X is the same median computed with every censored run counted at its N: a true lower
//   bound, since a censored run's MCS is larger than N.
// - Ranking models: descending by median MCS in that order (a higher MCS predicts a larger gain);
//   models without an MCS come last, unranked. Equal medians share a rank.
// - Spearman (the engine's spearman, average ranks for ties): MCS vs GT gain over the models with
//   both; pass@k gain vs GT gain over the models with an MCS too, so the two predictors are
//   compared on the same models. A censored median enters by its rank in the order above (above
//   every collapsed median), which is all that Spearman uses.
// - GT gain per run: best val/accuracy (MetricSummary.max) minus the run's first val/accuracy
//   point (its initial accuracy); per model the plain median over runs.
// - Initial accuracy: median of the first val/accuracy point of the model's finished runs, else
//   the static evaluation's greedy accuracy. pass@k: the static evaluation's passAtK (k from it).
//   pass@k gain = pass@k - greedy accuracy of the static evaluation (the headroom that sampling
//   shows and RL could sharpen into greedy accuracy: the paper's label-based baseline predictor).
import { mcsLabel, spearman } from "../../runner/engine/metrics/mcs";

export const MCS_METHOD = "majority_vote";
export const GT_METHOD = "ground_truth";

export interface McsValue {
  /** Collapse step; when censored, the lower bound N (MCS > N). */
  step: number;
  censored: boolean;
}

/** Sort order of MCS values: collapsed by step, then every censored value, by N. */
export function compareMcs(a: McsValue, b: McsValue): number {
  if (a.censored !== b.censored) return a.censored ? 1 : -1;
  return a.step - b.step;
}

/** The median of plain numbers (even n: mean of the two middle values); null for none. */
export function plainMedian(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Median of MCS values with censoring (rule at the top of this file); null for no values. */
export function medianMcs(values: readonly McsValue[]): McsValue | null {
  if (values.length === 0) return null;
  const s = [...values].sort(compareMcs);
  const m = s.length >> 1;
  const middle = s.length % 2 === 1 ? [s[m]!] : [s[m - 1]!, s[m]!];
  if (middle.every((v) => !v.censored)) return { step: middle.reduce((a, v) => a + v.step, 0) / middle.length, censored: false };
  return { step: plainMedian(values.map((v) => v.step))!, censored: true };
}

export function formatMcs(v: McsValue | null): string {
  return v ? mcsLabel(v.step, v.censored) : "";
}

/**
 * Numbers that order like compareMcs (for rank statistics only): collapsed values keep their step,
 * censored values are shifted above the largest collapsed one.
 */
export function mcsRankKeys(values: readonly McsValue[]): number[] {
  const top = Math.max(0, ...values.filter((v) => !v.censored).map((v) => v.step));
  return values.map((v) => (v.censored ? top + 1 + v.step : v.step));
}

export interface RunFigures {
  runId: string;
  baseModelId: string;
  rewardMethod: string;
  seed: number;
  mcsStep: number | null;
  mcsCensored: boolean | null;
  /** First val/accuracy point of the run. */
  initialAccuracy: number | null;
  /** Best (max finite) val/accuracy. */
  bestAccuracy: number | null;
  /** The run trained with the default protocol (usesDefaultProtocol); other runs are not counted. */
  defaultProtocol: boolean;
}

export interface ModelInfo {
  id: string;
  name: string;
  family: string;
  staticEval: unknown;
}

export interface LeaderboardRow {
  rank: number | null;
  modelId: string;
  model: string;
  family: string;
  mcs: McsValue | null;
  mcsLabel: string;
  /** majority_vote runs behind the MCS (and how many of them are censored). */
  mcsRuns: number;
  mcsCensoredRuns: number;
  initialAccuracy: number | null;
  initialAccuracySource: "runs" | "static" | null;
  passAtK: number | null;
  k: number | null;
  passAtKGain: number | null;
  gtGain: number | null;
  gtRuns: number;
  /** The majority_vote and ground_truth runs behind the figures (for a link to /compare). */
  runIds: string[];
}

export interface Correlation {
  rho: number | null;
  n: number;
}

export interface Leaderboard {
  rows: LeaderboardRow[];
  mcsVsGtGain: Correlation;
  passAtKGainVsGtGain: Correlation;
}

export function finite(x: unknown): number | null {
  return typeof x === "number" && Number.isFinite(x) ? x : null;
}

function staticFigures(staticEval: unknown): { greedy: number | null; passAtK: number | null; k: number | null } {
  const e = (staticEval && typeof staticEval === "object" ? staticEval : {}) as Record<string, unknown>;
  return { greedy: finite(e.greedyAccuracy), passAtK: finite(e.passAtK), k: finite(e.k) };
}

function correlation(pairs: Array<[number, number]>): Correlation {
  if (pairs.length < 2) return { rho: null, n: pairs.length };
  const rho = spearman(pairs.map((p) => p[0]), pairs.map((p) => p[1]));
  return { rho: Number.isNaN(rho) ? null : rho, n: pairs.length };
}

/** Pure: builds the leaderboard from models and per-run figures (finished runs only). */
export function buildLeaderboard(models: readonly ModelInfo[], runs: readonly RunFigures[]): Leaderboard {
  const rows: LeaderboardRow[] = models.map((m) => {
    const own = runs.filter((r) => r.baseModelId === m.id && r.defaultProtocol);
    const mcsValues = own
      .filter((r) => r.rewardMethod === MCS_METHOD && r.mcsStep !== null)
      .map((r) => ({ step: r.mcsStep!, censored: r.mcsCensored === true }));
    const gains = own
      .filter((r) => r.rewardMethod === GT_METHOD && r.initialAccuracy !== null && r.bestAccuracy !== null)
      .map((r) => r.bestAccuracy! - r.initialAccuracy!);
    const initials = own.map((r) => r.initialAccuracy).filter((x): x is number => x !== null);
    const st = staticFigures(m.staticEval);
    const fromRuns = plainMedian(initials);
    const mcs = medianMcs(mcsValues);
    return {
      rank: null,
      modelId: m.id,
      model: m.name,
      family: m.family,
      mcs,
      mcsLabel: formatMcs(mcs),
      mcsRuns: mcsValues.length,
      mcsCensoredRuns: mcsValues.filter((v) => v.censored).length,
      initialAccuracy: fromRuns ?? st.greedy,
      initialAccuracySource: fromRuns !== null ? "runs" : st.greedy !== null ? "static" : null,
      passAtK: st.passAtK,
      k: st.k,
      passAtKGain: st.passAtK !== null && st.greedy !== null ? st.passAtK - st.greedy : null,
      gtGain: plainMedian(gains),
      gtRuns: gains.length,
      runIds: own.filter((r) => r.rewardMethod === MCS_METHOD || r.rewardMethod === GT_METHOD).map((r) => r.runId),
    };
  });

  // Descending MCS; models without one last, by name.
  rows.sort((a, b) => {
    if (a.mcs && b.mcs) return compareMcs(b.mcs, a.mcs) || a.model.localeCompare(b.model);
    if (a.mcs || b.mcs) return a.mcs ? -1 : 1;
    return a.model.localeCompare(b.model);
  });
  let rank = 0;
  rows.forEach((row, i) => {
    if (!row.mcs) return;
    const prev = rows[i - 1];
    rank = prev?.mcs && compareMcs(prev.mcs, row.mcs) === 0 ? rank : i + 1;
    row.rank = rank;
  });

  const withMcs = rows.filter((r) => r.mcs && r.gtGain !== null);
  const keys = mcsRankKeys(withMcs.map((r) => r.mcs!));
  const withPass = rows.filter((r) => r.mcs && r.passAtKGain !== null && r.gtGain !== null);
  return {
    rows,
    mcsVsGtGain: correlation(withMcs.map((r, i) => [keys[i]!, r.gtGain!])),
    passAtKGainVsGtGain: correlation(withPass.map((r) => [r.passAtKGain!, r.gtGain!])),
  };
}


