// The leaderboard table, pure (no database): base models ranked by Model Collapse Step (MCS) within
// one training protocol, beside the baselines the paper compares against and the gain from
// ground-truth RL, each with its uncertainty, and whether the design can tell if MCS predicts the
// gain. The dashboard (leaderboard.ts), the CSV and the study (study/) all build their tables here,
// so they show the same numbers for the same runs. The statistics themselves live in the engine's
// stats/ module. Rules, in one place:
//
// - Protocols. A run counts only within its training protocol (runner/engine/train/protocol.ts:
//   the settings that differ from the defaults); one table is one protocol, the default first.
//   Runs counted: status SUCCEEDED. MCS comes from majority_vote runs whose mcsStep is set; GT gain
//   from ground_truth runs.
// - Censored MCS. A run that never fell below the threshold has MCS "> N" (N its last step). For
//   ordering a censored value counts as +infinity, N breaking ties between censored values: it
//   ranks above every collapsed value (never as if it had collapsed), a longer censored run above a
//   shorter one. The median over seeds (compareMcs order; even n: mean of the middle two) is
//   censored when a middle value is, and then shown as "> X", X the median with every censored run
//   at its N: a true lower bound.
// - Ranking: descending by median MCS in that order; models without an MCS last, unranked. Equal
//   medians share a rank.
// - GT gain per run: the mean of its last three validations minus its initial one (metrics/gain.ts;
//   never the best validation); per model the mean over seeds. Initial accuracy: the runs' step-0
//   val/accuracy (every run of a model shares it), else the static evaluation's greedy accuracy.
//   pass@k and pass@k gain (pass@k - greedy accuracy) and self-certainty AUROC: the static
//   evaluation's.
// - Intervals (95%, seeded bootstrap, BOOTSTRAP_REPLICATES): per model, seeds resampled with
//   replacement; GT gain also carries the prompts' sampling noise (normal, with the runs' standard
//   error over prompts). A censored MCS bound stays a bound ("> N").
// - Correlations of each predictor with GT gain over the models that have both: Spearman's rho and
//   Kendall's tau-b with permutation p-values (exact up to 10 models), one-sided for the predictors
//   the paper ranks models with (MCS: a later collapse, a larger gain; pass@k gain: more headroom,
//   a larger gain), two-sided for initial accuracy and AUROC. A censored median enters by its rank.
//   rho's interval: Bonett and Wright's Fisher-z interval (stats/rank.ts spearmanInterval), none
//   where it is undefined (fewer than 4 models, |rho| = 1, a constant column).
// - Reliability: split-seed for figures from runs (MCS, GT gain), from standard errors for static
//   figures. Power: the chance the test finds rho = TARGET_RHO among these n models at these
//   reliabilities (stats/power.ts). Below TARGET_POWER, or when a reliability is unknown, the
//   verdict is "underpowered", never "supported" or "not supported".
import { mcsLabel } from "../../runner/engine/metrics/mcs";
import { runGain, type ValidationPoint } from "../../runner/engine/metrics/gain";
import { bootstrap, bootstrapDraws, percentileInterval, resample, type Interval } from "../../runner/engine/stats/bootstrap";
import { rankTest, type Alternative } from "../../runner/engine/stats/permutation";
import { type Power, simulatePower, TARGET_POWER, TARGET_RHO } from "../../runner/engine/stats/power";
import { spearmanInterval } from "../../runner/engine/stats/rank";
import { type Reliability, splitSeedReliability, standardErrorReliability } from "../../runner/engine/stats/reliability";
import { mean } from "../../runner/engine/stats/summary";
import { DEFAULT_PROTOCOL_KEY, type Protocol } from "../../runner/engine/train/protocol";
import type { Rng } from "../../runner/engine/util/rng";

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
  protocol: Protocol;
  mcsStep: number | null;
  mcsCensored: boolean | null;
  /** The run's val/accuracy points with their standard errors. */
  validation: ValidationPoint[];
}

/** A majority_vote or ground_truth run still queued or running: a figure on its way. */
export interface PendingRun {
  baseModelId: string;
  rewardMethod: string;
  protocol: Protocol;
}

export interface ModelInfo {
  id: string;
  name: string;
  family: string;
  staticEval: unknown;
}

export interface McsInterval {
  lo: McsValue;
  hi: McsValue;
  label: string;
}

export interface LeaderboardRow {
  rank: number | null;
  modelId: string;
  model: string;
  family: string;
  mcs: McsValue | null;
  mcsLabel: string;
  mcsInterval: McsInterval | null;
  /** majority_vote runs behind the MCS (and how many of them are censored). */
  mcsRuns: number;
  mcsCensoredRuns: number;
  initialAccuracy: number | null;
  initialAccuracySe: number | null;
  initialAccuracySource: "runs" | "static" | null;
  passAtK: number | null;
  k: number | null;
  passAtKGain: number | null;
  passAtKGainSe: number | null;
  selfCertaintyAuroc: number | null;
  selfCertaintyAurocSe: number | null;
  gtGain: number | null;
  gtGainInterval: Interval | null;
  /** The prompts' part of the GT gain's error (mean of the runs' standard errors). */
  gtGainSe: number | null;
  /** Mean over seeds of the area under (val/accuracy - initial), per step. */
  gtAuc: number | null;
  gtRuns: number;
  /** Runs of this protocol still queued or running, whose figures will join these. */
  pendingMcsRuns: number;
  pendingGtRuns: number;
  /** The majority_vote and ground_truth runs behind the figures (for a link to /compare). */
  runIds: string[];
}

export const PREDICTORS = [
  { key: "mcs", label: "MCS", alternative: "greater" },
  { key: "pass_at_k_gain", label: "pass@k gain", alternative: "greater" },
  { key: "initial_accuracy", label: "initial accuracy", alternative: "two-sided" },
  { key: "self_certainty_auroc", label: "self-certainty AUROC", alternative: "two-sided" },
] as const satisfies ReadonlyArray<{ key: string; label: string; alternative: Alternative }>;

export type PredictorKey = (typeof PREDICTORS)[number]["key"];

export type VerdictKind = "too-few-models" | "underpowered" | "supported" | "not-supported";

export interface PredictorStats {
  predictor: PredictorKey;
  label: string;
  alternative: Alternative;
  n: number;
  rho: number | null;
  tau: number | null;
  pRho: number | null;
  pTau: number | null;
  exact: boolean;
  rhoInterval: Interval | null;
  reliability: Reliability;
  power: Power | null;
  verdict: VerdictKind;
  /** One sentence with the numbers behind the verdict. */
  summary: string;
}

export interface ProtocolSummary {
  key: string;
  label: string;
  runs: number;
  mcsRuns: number;
  gtRuns: number;
  /** Queued or running majority_vote and ground_truth runs. */
  pendingRuns: number;
}

export interface Leaderboard {
  protocol: ProtocolSummary;
  /** Every protocol with finished or pending runs, the default first, then by finished runs. */
  protocols: ProtocolSummary[];
  rows: LeaderboardRow[];
  gtGainReliability: Reliability;
  predictors: PredictorStats[];
}

export function finite(x: unknown): number | null {
  return typeof x === "number" && Number.isFinite(x) ? x : null;
}

interface StaticFigures {
  greedy: number | null;
  passAtK: number | null;
  k: number | null;
  passAtKGainSe: number | null;
  auroc: number | null;
  aurocSe: number | null;
}

function staticFigures(staticEval: unknown): StaticFigures {
  const e = (staticEval && typeof staticEval === "object" ? staticEval : {}) as Record<string, unknown>;
  return {
    greedy: finite(e.greedyAccuracy),
    passAtK: finite(e.passAtK),
    k: finite(e.k),
    passAtKGainSe: finite(e.passAtKGainSe),
    auroc: finite(e.selfCertaintyAuroc),
    aurocSe: finite(e.selfCertaintyAurocSe),
  };
}

/** A protocol's label from its key, for a key no finished run has (a bookmarked URL, say). */
function labelOfKey(key: string): string {
  try {
    const o = JSON.parse(key) as unknown;
    if (o && typeof o === "object" && !Array.isArray(o)) return Object.entries(o).map(([k, v]) => `${k} ${String(v)}`).join(", ");
  } catch {
    // not JSON: shown as given
  }
  return key;
}

/** Protocols present among `runs` (MCS and GT runs only), the default first, then by runs. */
export function listProtocols(runs: readonly RunFigures[], pending: readonly PendingRun[] = []): ProtocolSummary[] {
  const byKey = new Map<string, ProtocolSummary>();
  const summary = (protocol: Protocol) => {
    const p = byKey.get(protocol.key) ?? { key: protocol.key, label: protocol.label, runs: 0, mcsRuns: 0, gtRuns: 0, pendingRuns: 0 };
    byKey.set(p.key, p);
    return p;
  };
  byKey.set(DEFAULT_PROTOCOL_KEY, { key: DEFAULT_PROTOCOL_KEY, label: "default", runs: 0, mcsRuns: 0, gtRuns: 0, pendingRuns: 0 });
  for (const r of runs) {
    if (r.rewardMethod !== MCS_METHOD && r.rewardMethod !== GT_METHOD) continue;
    const p = summary(r.protocol);
    p.runs++;
    if (r.rewardMethod === MCS_METHOD) p.mcsRuns++;
    else p.gtRuns++;
  }
  for (const r of pending) if (r.rewardMethod === MCS_METHOD || r.rewardMethod === GT_METHOD) summary(r.protocol).pendingRuns++;
  const [first, ...rest] = [...byKey.values()];
  return [first!, ...rest.sort((a, b) => b.runs - a.runs || a.label.localeCompare(b.label))];
}

/** Per model, the raw material of its figures within one protocol. */
interface ModelRuns {
  model: ModelInfo;
  mcs: Array<{ seed: number; value: McsValue }>;
  gains: Array<{ seed: number; gain: number; se: number | null; auc: number }>;
  initial: { value: number; se: number | null } | null;
  static: StaticFigures;
  runIds: string[];
}

function collect(models: readonly ModelInfo[], runs: readonly RunFigures[]): ModelRuns[] {
  return models.map((model) => {
    const own = runs.filter((r) => r.baseModelId === model.id);
    const mcs = own
      .filter((r) => r.rewardMethod === MCS_METHOD && r.mcsStep !== null)
      .map((r) => ({ seed: r.seed, value: { step: r.mcsStep!, censored: r.mcsCensored === true } }));
    const gains = own
      .filter((r) => r.rewardMethod === GT_METHOD)
      .flatMap((r) => {
        const g = runGain(r.validation);
        return g ? [{ seed: r.seed, gain: g.gain, se: g.gainSe, auc: g.auc }] : [];
      });
    const initials = own.flatMap((r) => {
      const g = runGain(r.validation);
      return g ? [{ value: g.initial, se: g.initialSe }] : [];
    });
    const initial = initials.length > 0 ? { value: mean(initials.map((i) => i.value)), se: initials[0]!.se } : null;
    return {
      model,
      mcs,
      gains,
      initial,
      static: staticFigures(model.staticEval),
      runIds: own.filter((r) => r.rewardMethod === MCS_METHOD || r.rewardMethod === GT_METHOD).map((r) => r.runId),
    };
  });
}

/** The model's GT gain as one bootstrap replicate draws it: seeds resampled, plus the prompts' noise. */
function gainReplicate(m: ModelRuns, rng: Rng): number {
  if (m.gains.length === 0) return Number.NaN;
  const draw = resample(m.gains, rng);
  const se = meanSe(m.gains);
  return mean(draw.map((g) => g.gain)) + (se === null ? 0 : se * rng.normal());
}

function meanSe(gains: ModelRuns["gains"]): number | null {
  const ses = gains.map((g) => g.se);
  return ses.length > 0 && ses.every((s): s is number => s !== null) ? mean(ses) : null;
}

function mcsReplicate(m: ModelRuns, rng: Rng): McsValue | null {
  return medianMcs(resample(m.mcs, rng).map((x) => x.value));
}

/** The (2.5%, 97.5%) order statistics of bootstrap medians, in compareMcs order. */
function mcsInterval(m: ModelRuns): McsInterval | null {
  if (m.mcs.length === 0) return null;
  const reps = bootstrapDraws((rng) => mcsReplicate(m, rng)!, { name: `mcs/${m.model.id}` }).sort(compareMcs);
  const at = (q: number) => reps[Math.min(reps.length - 1, Math.max(0, Math.round(q * (reps.length - 1))))]!;
  const lo = at(0.025), hi = at(0.975);
  return { lo, hi, label: `[${formatMcs(lo)}, ${formatMcs(hi)}]` };
}

/** Pure: the leaderboard of one protocol (`protocolKey`, default first) from models and finished runs. */
export function buildLeaderboard(
  models: readonly ModelInfo[],
  allRuns: readonly RunFigures[],
  protocolKey: string = DEFAULT_PROTOCOL_KEY,
  pending: readonly PendingRun[] = [],
): Leaderboard {
  const protocols = listProtocols(allRuns, pending);
  const protocol = protocols.find((p) => p.key === protocolKey) ?? { key: protocolKey, label: labelOfKey(protocolKey), runs: 0, mcsRuns: 0, gtRuns: 0, pendingRuns: 0 };
  const data = collect(models, allRuns.filter((r) => r.protocol.key === protocol.key));
  const pendingHere = pending.filter((r) => r.protocol.key === protocol.key);
  const pendingOf = (id: string, method: string) => pendingHere.filter((r) => r.baseModelId === id && r.rewardMethod === method).length;

  const rows: LeaderboardRow[] = data.map((m) => {
    const st = m.static;
    const mcs = medianMcs(m.mcs.map((x) => x.value));
    const gtGain = m.gains.length > 0 ? mean(m.gains.map((g) => g.gain)) : null;
    const gtGainInterval = gtGain === null ? null : percentileInterval(bootstrap((rng) => gainReplicate(m, rng), { name: `gain/${m.model.id}` }));
    return {
      rank: null,
      modelId: m.model.id,
      model: m.model.name,
      family: m.model.family,
      mcs,
      mcsLabel: formatMcs(mcs),
      mcsInterval: mcsInterval(m),
      mcsRuns: m.mcs.length,
      mcsCensoredRuns: m.mcs.filter((x) => x.value.censored).length,
      initialAccuracy: m.initial?.value ?? st.greedy,
      initialAccuracySe: m.initial?.se ?? null,
      initialAccuracySource: m.initial ? "runs" : st.greedy !== null ? "static" : null,
      passAtK: st.passAtK,
      k: st.k,
      passAtKGain: st.passAtK !== null && st.greedy !== null ? st.passAtK - st.greedy : null,
      passAtKGainSe: st.passAtKGainSe,
      selfCertaintyAuroc: st.auroc,
      selfCertaintyAurocSe: st.aurocSe,
      gtGain,
      gtGainInterval,
      gtGainSe: meanSe(m.gains),
      gtAuc: m.gains.length > 0 ? mean(m.gains.map((g) => g.auc)) : null,
      gtRuns: m.gains.length,
      pendingMcsRuns: pendingOf(m.model.id, MCS_METHOD),
      pendingGtRuns: pendingOf(m.model.id, GT_METHOD),
      runIds: m.runIds,
    };
  });

  // Descending MCS; models without one last, by name.
  const order = rows.map((_, i) => i);
  order.sort((a, b) => {
    const ra = rows[a]!, rb = rows[b]!;
    if (ra.mcs && rb.mcs) return compareMcs(rb.mcs, ra.mcs) || ra.model.localeCompare(rb.model);
    if (ra.mcs || rb.mcs) return ra.mcs ? -1 : 1;
    return ra.model.localeCompare(rb.model);
  });
  const sortedRows = order.map((i) => rows[i]!);
  const sortedData = order.map((i) => data[i]!);
  let rank = 0;
  sortedRows.forEach((row, i) => {
    if (!row.mcs) return;
    const prev = sortedRows[i - 1];
    rank = prev?.mcs && compareMcs(prev.mcs, row.mcs) === 0 ? rank : i + 1;
    row.rank = rank;
  });

  const gtGainReliability = splitSeedReliability(bySeed(sortedData, (m, seed) => {
    const g = m.gains.filter((x) => x.seed === seed).map((x) => x.gain);
    return g.length > 0 ? mean(g) : Number.NaN;
  }, (m) => m.gains.map((g) => g.seed)));
  const predictors = PREDICTORS.map((p) => predictorStats(p, sortedRows, sortedData, gtGainReliability));
  return { protocol, protocols, rows: sortedRows, gtGainReliability, predictors };
}

/** `figure(model, seed)` for every seed any model has: the matrix split-seed reliability wants. */
function bySeed(data: readonly ModelRuns[], figure: (m: ModelRuns, seed: number) => number, seedsOf: (m: ModelRuns) => number[]): number[][] {
  const seeds = [...new Set(data.flatMap(seedsOf))].sort((a, b) => a - b);
  return seeds.map((s) => data.map((m) => figure(m, s)));
}

/** A predictor's figure for one model, and how reliably it ranks the models. */
interface PredictorColumn {
  has: (row: LeaderboardRow, m: ModelRuns) => boolean;
  observed: (rows: LeaderboardRow[], data: ModelRuns[]) => number[];
  reliability: (rows: LeaderboardRow[], data: ModelRuns[]) => Reliability;
}

const COLUMNS: Record<PredictorKey, PredictorColumn> = {
  mcs: {
    has: (r) => r.mcs !== null,
    observed: (rows) => mcsRankKeys(rows.map((r) => r.mcs!)),
    reliability: (_rows, data) =>
      splitSeedReliability(
        (() => {
          const seeds = [...new Set(data.flatMap((m) => m.mcs.map((x) => x.seed)))].sort((a, b) => a - b);
          // Each seed ranks the models by its own MCS values, censored ones above collapsed ones.
          return seeds.map((s) => {
            const vals = data.map((m) => medianMcs(m.mcs.filter((x) => x.seed === s).map((x) => x.value)));
            const present = vals.filter((v): v is McsValue => v !== null);
            const keys = mcsRankKeys(present);
            let k = 0;
            return vals.map((v) => (v === null ? Number.NaN : keys[k++]!));
          });
        })(),
      ),
  },
  pass_at_k_gain: {
    has: (r) => r.passAtKGain !== null,
    observed: (rows) => rows.map((r) => r.passAtKGain!),
    reliability: (rows) => seReliability(rows.map((r) => [r.passAtKGain, r.passAtKGainSe])),
  },
  initial_accuracy: {
    has: (r) => r.initialAccuracy !== null,
    observed: (rows) => rows.map((r) => r.initialAccuracy!),
    reliability: (rows) => seReliability(rows.map((r) => [r.initialAccuracy, r.initialAccuracySe])),
  },
  self_certainty_auroc: {
    has: (r) => r.selfCertaintyAuroc !== null,
    observed: (rows) => rows.map((r) => r.selfCertaintyAuroc!),
    reliability: (rows) => seReliability(rows.map((r) => [r.selfCertaintyAuroc, r.selfCertaintyAurocSe])),
  },
};

/** Standard-error reliability when every figure has its error; unknown (NaN) otherwise. */
function seReliability(pairs: Array<[number | null, number | null]>): Reliability {
  if (pairs.some(([, se]) => se === null)) return { value: Number.NaN, method: "standard-error", n: pairs.length };
  return standardErrorReliability(pairs.map(([v]) => v!), pairs.map(([, se]) => se!));
}

const f2 = (x: number) => x.toFixed(2);
const fp = (p: number) => (p < 0.001 ? "< 0.001" : p.toFixed(3));

function predictorStats(p: (typeof PREDICTORS)[number], rows: LeaderboardRow[], data: ModelRuns[], gainReliability: Reliability): PredictorStats {
  const col = COLUMNS[p.key];
  const keep = rows.map((r, i) => col.has(r, data[i]!) && r.gtGain !== null);
  const r = rows.filter((_, i) => keep[i]);
  const d = data.filter((_, i) => keep[i]);
  const n = r.length;
  const reliability = col.reliability(r, d);
  const base = { predictor: p.key, label: p.label, alternative: p.alternative, n, reliability };
  if (n < 3) {
    return {
      ...base, rho: null, tau: null, pRho: null, pTau: null, exact: true, rhoInterval: null, power: null, verdict: "too-few-models",
      summary: `${n} model${n === 1 ? "" : "s"} with both ${p.label} and GT gain: a rank correlation needs at least 3.`,
    };
  }
  const x = col.observed(r, d), y = r.map((row) => row.gtGain!);
  const test = rankTest(x, y, { alternative: p.alternative });
  const rhoInterval = spearmanInterval(test.rho, n);
  const known = Number.isFinite(reliability.value) && Number.isFinite(gainReliability.value);
  const power = known ? simulatePower({ n, rho: TARGET_RHO, reliabilityX: reliability.value, reliabilityY: gainReliability.value }) : null;
  const stat = `rho ${Number.isNaN(test.rho) ? "n/a" : f2(test.rho)}` +
    (rhoInterval ? ` [${f2(rhoInterval.lo)}, ${f2(rhoInterval.hi)}]` : "") +
    `, ${p.alternative === "greater" ? "one-sided" : "two-sided"} ${test.exact ? "exact" : "Monte Carlo"} p ${Number.isNaN(test.pRho) ? "n/a" : fp(test.pRho)}, n ${n}`;
  const powerText = power
    ? `power ${f2(power.power)} to detect rho ${TARGET_RHO} (reliability ${f2(reliability.value)} for ${p.label}, ${f2(gainReliability.value)} for GT gain)`
    : `power unknown: the reliability of ${Number.isFinite(reliability.value) ? "GT gain" : p.label} cannot be estimated (it needs at least two seeds, or standard errors)`;
  let verdict: VerdictKind;
  let summary: string;
  if (!power || power.power < TARGET_POWER) {
    verdict = "underpowered";
    summary = `Underpowered: ${powerText}; ${stat}. No verdict.`;
  } else if (test.pRho < 0.05) {
    verdict = "supported";
    summary = `${p.label} predicts GT gain: ${stat}; ${powerText}.`;
  } else {
    verdict = "not-supported";
    summary = `No evidence that ${p.label} predicts GT gain: ${stat}; ${powerText}.`;
  }
  return {
    ...base, rho: finite(test.rho), tau: finite(test.tau), pRho: finite(test.pRho), pTau: finite(test.pTau), exact: test.exact,
    rhoInterval, power, verdict, summary,
  };
}
