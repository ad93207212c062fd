// The study's numbers, computed from finished runs (pure: no files, no training). The report and
// its charts only format what this file returns, so every sentence of the report can be traced to
// one function here and its test.
//
// The zoo table is built by the dashboard's own leaderboard rules (server/services/leaderboard-table.ts)
// and MCS by the engine's modelCollapseStep, so the report and the leaderboard cannot disagree.
import { METRICS } from "../runner/engine/metrics/metric-names";
import { type CollapseStep, type MetricPoint, modelCollapseStep } from "../runner/engine/metrics/mcs";
import type { StepRecord } from "../runner/engine/train/api";
import { protocolOf } from "../runner/engine/train/protocol";
import { type RunGain, runGain, type ValidationPoint } from "../runner/engine/metrics/gain";
import { effectiveDatasetSize } from "../runner/engine/train/config";
import {
  GT_METHOD,
  type Leaderboard,
  type LeaderboardRow,
  MCS_METHOD,
  type McsValue,
  type ModelInfo,
  type RunFigures,
  buildLeaderboard,
  formatMcs,
  medianMcs,
  plainMedian,
} from "../server/services/leaderboard-table";
import { simulatePower, TARGET_POWER, TARGET_RHO } from "../runner/engine/stats/power";
import type { StudyResults, StudyRunResult, StudySection } from "./types";

// ---------------------------------------------------------------------------------------------
// Thresholds, in one place. Each is a judgement call about what counts as a clear change on the
// engine's small validation splits (128 prompts by default: one prompt is 0.008 of accuracy).

export const ANALYSIS_THRESHOLDS = {
  /**
   * Share of a run's training steps averaged at its start and at its end when comparing levels.
   * One step is noisy (32 prompts x 8 rollouts); a tenth of the run smooths that out while still
   * describing "the start" and "the end".
   */
  edgeShare: 0.1,
  /** Moving-mean window (steps) for train/ground_truth_reward, which is the mean of one batch. */
  smoothingWindow: 10,
  /**
   * Length collapse: the end's mean response length below this share of the start's. Answers in
   * the tasks are a few tokens; losing 40% of the length means the work before the answer is gone.
   */
  lengthCollapseRatio: 0.6,
  /** Length blow-up: the end's mean length at or above this share of maxNewTokens (rambling to the cap). */
  lengthMaxShare: 0.95,
  /** Repetition collapse: the end's repeated-4-gram share above this level ... */
  repetitionFinalMin: 0.3,
  /** ... and above this multiple of the start's (a model that always repeated has not collapsed). */
  repetitionRiseRatio: 3,
  /**
   * A clear fall or rise of val accuracy (absolute). 0.05 is over 6 prompts of 128, well beyond the
   * step-to-step jitter of greedy decoding on a fixed split.
   */
  accuracyMargin: 0.05,
  /** The same for the smoothed ground-truth reward (a mean over 10 batches of 256 rollouts). */
  rewardMargin: 0.05,
} as const;

const T = ANALYSIS_THRESHOLDS;

/**
 * Whether a change reaches a margin. Accuracies are ratios of small counts, so a difference that is
 * exactly the margin (0.35 - 0.30) can come out a hair below it in floating point; 1e-9 absorbs that.
 */
export function clears(change: number | null | undefined, margin: number): boolean {
  return change !== null && change !== undefined && change >= margin - 1e-9;
}

// ---------------------------------------------------------------------------------------------
// Series.

/** The finite values of one metric, in step order. */
export function series(records: readonly StepRecord[], metric: string): MetricPoint[] {
  return records
    .filter((r) => Number.isFinite(r.metrics[metric]))
    .map((r) => ({ step: r.step, value: r.metrics[metric]! }))
    .sort((a, b) => a.step - b.step);
}

/** Trailing moving mean over the last `window` points (fewer at the start). */
export function movingMean(points: readonly MetricPoint[], window: number = T.smoothingWindow): MetricPoint[] {
  const out: MetricPoint[] = [];
  let sum = 0;
  for (let i = 0; i < points.length; i++) {
    sum += points[i]!.value;
    if (i >= window) sum -= points[i - window]!.value;
    out.push({ step: points[i]!.step, value: sum / Math.min(i + 1, window) });
  }
  return out;
}

function mean(xs: readonly number[]): number | null {
  return xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Means of the first and last `share` of the points (at least one point each); null when empty. */
export function edgeMeans(points: readonly MetricPoint[], share: number = T.edgeShare): { start: number | null; end: number | null } {
  const n = Math.max(1, Math.ceil(points.length * share));
  return { start: mean(points.slice(0, n).map((p) => p.value)), end: mean(points.slice(-n).map((p) => p.value)) };
}

// ---------------------------------------------------------------------------------------------
// Rise then fall.

export interface RiseFall {
  initial: number | null;
  peak: number | null;
  /** First step at which the peak is reached. */
  peakStep: number | null;
  final: number | null;
  /** peak - initial and peak - final (how far it rose, how far it fell back). */
  rise: number | null;
  fall: number | null;
}

/** Initial, peak (first step reaching it), final of a series. */
export function riseFall(points: readonly MetricPoint[]): RiseFall {
  if (points.length === 0) return { initial: null, peak: null, peakStep: null, final: null, rise: null, fall: null };
  let best = points[0]!;
  for (const p of points) if (p.value > best.value) best = p;
  const initial = points[0]!.value;
  const final = points[points.length - 1]!.value;
  return { initial, peak: best.value, peakStep: best.step, final, rise: best.value - initial, fall: best.value - final };
}

/** "rise then fall", "rise", "fall", "flat", from a RiseFall and a margin. */
export function shapeOf(rf: RiseFall, margin: number): "rise then fall" | "rise" | "fall" | "flat" | "no data" {
  if (rf.rise === null || rf.fall === null || rf.initial === null || rf.final === null) return "no data";
  const rose = clears(rf.rise, margin);
  const fell = clears(rf.fall, margin);
  if (rose && fell) return "rise then fall";
  if (rose) return "rise";
  if (clears(rf.initial - rf.final, margin)) return "fall";
  return "flat";
}

// ---------------------------------------------------------------------------------------------
// Per run.

export type FailureMode = "length collapse" | "repetition collapse" | "gradual degradation" | "no collapse";

export interface FailureEvidence {
  mode: FailureMode;
  lengthStart: number | null;
  lengthEnd: number | null;
  repetitionStart: number | null;
  repetitionEnd: number | null;
  /** Peak val accuracy minus final. */
  valFall: number | null;
}

/**
 * Names how an intrinsic run failed, first match wins: length collapse (end length < 0.6 x start,
 * or at the cap), repetition collapse (end repetition > 0.3 and > 3 x start), gradual degradation
 * (val accuracy fell from its peak by the accuracy margin with length and repetition in place),
 * else no collapse. Thresholds: ANALYSIS_THRESHOLDS.
 */
export function failureMode(records: readonly StepRecord[], maxNewTokens: number): FailureEvidence {
  const train = records.filter((r) => r.step > 0);
  const length = edgeMeans(series(train, METRICS.lengthMean));
  const repetition = edgeMeans(series(train, METRICS.repetition));
  const val = riseFall(series(records, METRICS.valAccuracy));
  const evidence = {
    lengthStart: length.start,
    lengthEnd: length.end,
    repetitionStart: repetition.start,
    repetitionEnd: repetition.end,
    valFall: val.fall,
  };
  const lengthCollapsed =
    length.start !== null &&
    length.end !== null &&
    (length.end < T.lengthCollapseRatio * length.start || (length.end >= T.lengthMaxShare * maxNewTokens && length.start < T.lengthMaxShare * maxNewTokens));
  if (lengthCollapsed) return { mode: "length collapse", ...evidence };
  const repetitionCollapsed =
    repetition.start !== null &&
    repetition.end !== null &&
    repetition.end > T.repetitionFinalMin &&
    repetition.end > T.repetitionRiseRatio * repetition.start;
  if (repetitionCollapsed) return { mode: "repetition collapse", ...evidence };
  if (clears(val.fall, T.accuracyMargin)) return { mode: "gradual degradation", ...evidence };
  return { mode: "no collapse", ...evidence };
}

export interface RunSummary {
  id: string;
  sections: readonly StudySection[];
  model: string;
  reward: string;
  seed: number;
  task: string;
  datasetSize: number;
  ttt: boolean;
  /** The run's learning rate, from its config (never parsed from the id). */
  lr: number;
  steps: number;
  /** Last step actually recorded. */
  lastStep: number;
  mcs: CollapseStep;
  val: RiseFall;
  /** train/ground_truth_reward, moving mean over ANALYSIS_THRESHOLDS.smoothingWindow steps. */
  gtReward: RiseFall;
  /** train/proxy_reward, smoothed the same way. */
  proxyReward: RiseFall;
  /** Best val accuracy minus the first (the leaderboard's GT gain when reward is ground_truth). */
  gain: number | null;
  failure: FailureEvidence;
  seconds: number;
}

export function rewardAccuracyPoints(run: StudyRunResult): MetricPoint[] {
  return series(run.records.filter((r) => r.step > 0), METRICS.rewardAccuracy);
}

/** MCS of a run by the engine's rule, at the run's own threshold. */
export function runMcs(run: StudyRunResult): CollapseStep {
  return modelCollapseStep(rewardAccuracyPoints(run), run.spec.config.collapseThreshold);
}

export function smoothedSeries(run: StudyRunResult, metric: string): MetricPoint[] {
  return movingMean(series(run.records.filter((r) => r.step > 0), metric));
}

export function summarizeRun(run: StudyRunResult): RunSummary {
  const c = run.spec.config;
  const val = riseFall(series(run.records, METRICS.valAccuracy));
  return {
    id: run.spec.id,
    sections: run.spec.sections,
    model: c.model,
    reward: c.reward,
    seed: c.seed,
    task: c.task,
    datasetSize: effectiveDatasetSize(c),
    ttt: c.trainOnValidation,
    lr: c.lr,
    steps: c.steps,
    lastStep: run.records.reduce((m, r) => Math.max(m, r.step), 0),
    mcs: runMcs(run),
    val,
    gtReward: riseFall(smoothedSeries(run, METRICS.groundTruthReward)),
    proxyReward: riseFall(smoothedSeries(run, METRICS.proxyReward)),
    gain: val.rise,
    failure: failureMode(run.records, c.maxNewTokens),
    seconds: run.seconds,
  };
}

export function runsIn(results: StudyResults, section: StudySection): StudyRunResult[] {
  return results.runs.filter((r) => r.spec.sections.includes(section));
}

// ---------------------------------------------------------------------------------------------
// Zoo: the leaderboard, by the dashboard's rules.

/** The leaderboard's per-run figures of one run. */
export function runFigures(run: StudyRunResult): RunFigures {
  const c = run.spec.config;
  const mcs = runMcs(run);
  return {
    runId: run.spec.id,
    baseModelId: c.model,
    rewardMethod: c.reward,
    seed: c.seed,
    protocol: protocolOf(c),
    mcsStep: mcs.step,
    mcsCensored: mcs.censored,
    validation: validationOf(run.records),
  };
}

/** A run's val/accuracy curve with its standard errors, as the dashboard reads it from Postgres. */
export function validationOf(records: readonly StepRecord[]): ValidationPoint[] {
  return records
    .filter((r) => Number.isFinite(r.metrics[METRICS.valAccuracy]))
    .map((r) => ({ step: r.step, value: r.metrics[METRICS.valAccuracy]!, se: finiteOrNull(r.metrics[METRICS.valAccuracySe]) }));
}

const finiteOrNull = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x : null);

export function zooModelInfos(results: StudyResults, models: readonly string[] = results.plan.rankedModels): ModelInfo[] {
  return models.map((name) => {
    const m = results.models[name];
    return { id: name, name, family: m?.card?.family ?? "", staticEval: m?.evaluation };
  });
}

export interface LeaderboardOptions {
  /** The sections whose runs count (default: the zoo's, the primary analysis). */
  sections?: readonly StudySection[];
  /** The models ranked (default: the plan's admitted ones). */
  models?: readonly string[];
  /** Another collapse rule for majority_vote runs (the secondary analyses); default: MCS. */
  collapse?: (run: StudyRunResult) => CollapseStep;
}

/**
 * The leaderboard of the zoo section's runs, built by buildLeaderboard exactly as the dashboard
 * does, under the zoo runs' training protocol.
 */
export function studyLeaderboard(results: StudyResults, o: LeaderboardOptions = {}): Leaderboard {
  const runs = (o.sections ?? ["zoo"]).flatMap((s) => runsIn(results, s));
  const figures = runs.map((run) => {
    const f = runFigures(run);
    if (!o.collapse) return f;
    const c = o.collapse(run);
    return { ...f, mcsStep: c.step, mcsCensored: c.censored };
  });
  return buildLeaderboard(zooModelInfos(results, o.models), figures, runs[0] ? protocolOf(runs[0].spec.config).key : undefined);
}

/** Steps whose reward accuracy sets a run's starting level in the relative collapse rule. */
export const RELATIVE_BASELINE_STEPS = 5;

/**
 * The pre-registered secondary collapse rule: the first step after the first RELATIVE_BASELINE_STEPS
 * at which train/reward_accuracy falls below `factor` times its mean over those first steps
 * (censored, "> last step", when it never does).
 */
export function relativeCollapseStep(run: StudyRunResult, factor: number): CollapseStep {
  const ra = series(run.records.filter((r) => r.step > 0), METRICS.rewardAccuracy).filter((p) => Number.isFinite(p.value));
  const start = ra.filter((p) => p.step <= RELATIVE_BASELINE_STEPS);
  const last = ra.at(-1)?.step ?? 0;
  if (start.length === 0) return { step: last, censored: true };
  const initial = start.reduce((a, p) => a + p.value, 0) / start.length;
  const hit = ra.find((p) => p.step > RELATIVE_BASELINE_STEPS && p.value < factor * initial);
  return hit ? { step: hit.step, censored: false } : { step: last, censored: true };
}

export interface SeedsForPower {
  /** Seeds per model that would give the primary test 0.8 power at rho 0.8 (null: none up to maxSeeds). */
  seeds: number | null;
  power: number;
  /** Compute relative to the study's (seeds / the study's seeds). */
  computeFactor: number | null;
}

/**
 * How many seeds per model the primary test would need for TARGET_POWER, from the one-seed
 * reliabilities measured here stepped up with Spearman-Brown, at the same number of models.
 */
export function seedsForPower(board: Leaderboard, studySeeds: number, maxSeeds = 30): SeedsForPower {
  const mcs = board.predictors.find((p) => p.predictor === "mcs")!;
  const r1x = mcs.reliability.single, r1y = board.gtGainReliability.single;
  if (r1x === undefined || r1y === undefined || !Number.isFinite(r1x) || !Number.isFinite(r1y) || mcs.n < 3) {
    return { seeds: null, power: Number.NaN, computeFactor: null };
  }
  const sb = (r: number, k: number) => (r <= 0 ? 0 : Math.min(1, (k * r) / (1 + (k - 1) * r)));
  let power = 0;
  for (let k = 1; k <= maxSeeds; k++) {
    power = simulatePower({ n: mcs.n, rho: TARGET_RHO, reliabilityX: sb(r1x, k), reliabilityY: sb(r1y, k), simulations: 4000 }).power;
    if (power >= TARGET_POWER) return { seeds: k, power, computeFactor: k / studySeeds };
  }
  return { seeds: null, power, computeFactor: null };
}

export interface SeedFigure<T> {
  seed: number;
  value: T;
}

export interface ZooModelRow {
  row: LeaderboardRow;
  parameters: number | null;
  pretrainingSteps: number | null;
  corruption: string;
  /** Share of pretraining at the RL level (null for a model without an exposure mix). */
  exposure: number | null;
  /** Static evaluation figures present in the manifest, by column label (staticEvalFigures). */
  staticEval: Record<string, number>;
  mcsPerSeed: SeedFigure<McsValue>[];
  gtGainPerSeed: SeedFigure<number>[];
}

export interface ZooAnalysis {
  leaderboard: Leaderboard;
  rows: ZooModelRow[];
  seeds: readonly number[];
}

function finiteNumber(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/**
 * The static evaluation's figures by column label, in display order: "greedy", "pass@<k>" for every
 * k of `passAt` (else the headline passAtK at k), "maj@<k>" at the headline k, and
 * "self-certainty AUROC". Missing or non-numeric entries are left out.
 */
export function staticEvalFigures(evaluation: unknown): Record<string, number> {
  const e = (evaluation && typeof evaluation === "object" && !Array.isArray(evaluation) ? evaluation : {}) as Record<string, unknown>;
  const out: Record<string, number> = {};
  const put = (label: string, v: unknown) => {
    const x = finiteNumber(v);
    if (x !== undefined) out[label] = x;
  };
  put("greedy", e.greedyAccuracy);
  const k = finiteNumber(e.k);
  const passAt = e.passAt && typeof e.passAt === "object" ? (e.passAt as Record<string, unknown>) : {};
  const ks = Object.keys(passAt).sort((a, b) => Number(a) - Number(b));
  if (ks.length > 0) for (const kk of ks) put(`pass@${kk}`, passAt[kk]);
  else if (k !== undefined) put(`pass@${k}`, e.passAtK);
  if (k !== undefined) put(`maj@${k}`, e.majAtK);
  put("self-certainty AUROC", e.selfCertaintyAuroc ?? e.auroc);
  return out;
}

export function analyzeZoo(results: StudyResults): ZooAnalysis {
  const leaderboard = studyLeaderboard(results);
  const zooRuns = runsIn(results, "zoo");
  const rows = leaderboard.rows.map((row): ZooModelRow => {
    const manifest = results.models[row.modelId];
    const details = (manifest?.provenance.details ?? {}) as Record<string, unknown>;
    const own = zooRuns.filter((r) => r.spec.config.model === row.modelId).map(runFigures);
    const bySeed = <T>(xs: SeedFigure<T>[]) => xs.sort((a, b) => a.seed - b.seed);
    return {
      row,
      parameters: manifest?.parameterCount ?? null,
      pretrainingSteps: typeof details.steps === "number" ? details.steps : null,
      corruption: typeof details.corruption === "string" && details.corruption ? details.corruption : "none",
      exposure: typeof details.exposure === "number" ? details.exposure : null,
      staticEval: staticEvalFigures(manifest?.evaluation),
      mcsPerSeed: bySeed(
        own
          .filter((f) => f.rewardMethod === MCS_METHOD && f.mcsStep !== null)
          .map((f) => ({ seed: f.seed, value: { step: f.mcsStep!, censored: f.mcsCensored === true } })),
      ),
      gtGainPerSeed: bySeed(
        own
          .filter((f) => f.rewardMethod === GT_METHOD)
          .flatMap((f) => {
            const g = runGain(f.validation);
            return g ? [{ seed: f.seed, value: g.gain }] : [];
          }),
      ),
    };
  });
  return { leaderboard, rows, seeds: results.plan.seeds };
}

// ---------------------------------------------------------------------------------------------
// Methods, dataset size, test-time training, external rewards.

export interface MethodRow {
  method: string;
  runs: RunSummary[];
}

function groupBy<K, V>(xs: readonly V[], key: (v: V) => K): Map<K, V[]> {
  const m = new Map<K, V[]>();
  for (const x of xs) {
    const k = key(x);
    m.set(k, [...(m.get(k) ?? []), x]);
  }
  return m;
}

/** The section's runs summarized and grouped by reward method, in the order given (then any others). */
export function byMethod(runs: readonly StudyRunResult[], order: readonly string[]): MethodRow[] {
  const groups = groupBy(runs.map(summarizeRun), (s) => s.reward);
  const methods = [...order.filter((m) => groups.has(m)), ...[...groups.keys()].filter((m) => !order.includes(m))];
  return methods.map((method) => ({ method, runs: groups.get(method)!.sort((a, b) => a.seed - b.seed) }));
}

export function analyzeMethods(results: StudyResults): MethodRow[] {
  return byMethod(runsIn(results, "methods"), results.plan.intrinsicMethods);
}

export function analyzeExternal(results: StudyResults): MethodRow[] {
  return byMethod(runsIn(results, "external"), results.plan.externalMethods);
}

export interface DatasetSizeRow {
  size: number;
  runs: RunSummary[];
  /** Median MCS over seeds by the leaderboard's censoring rule. */
  mcs: McsValue | null;
  mcsLabel: string;
  collapsedRuns: number;
  peakVal: number | null;
  finalVal: number | null;
}

export interface DatasetAnalysis {
  rows: DatasetSizeRow[];
  /** Smallest size whose median MCS is not censored (collapsed within the step budget); null if none. */
  collapseOnset: number | null;
  /** True when every size below the onset stayed up and every size from it collapsed. */
  monotone: boolean;
}

export function analyzeDataset(results: StudyResults): DatasetAnalysis {
  const groups = groupBy(runsIn(results, "dataset").map(summarizeRun), (s) => s.datasetSize);
  const rows = [...groups.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([size, runs]): DatasetSizeRow => {
      const mcs = medianMcs(runs.map((r) => ({ step: r.mcs.step, censored: r.mcs.censored })));
      return {
        size,
        runs,
        mcs,
        mcsLabel: formatMcs(mcs),
        collapsedRuns: runs.filter((r) => !r.mcs.censored).length,
        peakVal: plainMedian(runs.map((r) => r.val.peak).filter((x): x is number => x !== null)),
        finalVal: plainMedian(runs.map((r) => r.val.final).filter((x): x is number => x !== null)),
      };
    });
  const collapsed = rows.map((r) => r.mcs !== null && !r.mcs.censored);
  const onsetIndex = collapsed.indexOf(true);
  const monotone = onsetIndex < 0 || collapsed.every((c, i) => c === i >= onsetIndex);
  return { rows, collapseOnset: onsetIndex < 0 ? null : rows[onsetIndex]!.size, monotone };
}

export interface TttPair {
  ttt: RunSummary;
  /** The run of the same model, reward and seed on the ordinary training split; null if the plan has none. */
  standard: RunSummary | null;
  tttRun: StudyRunResult;
  standardRun: StudyRunResult | null;
}

/**
 * Each test-time-training run beside its standard counterpart: same model, task, reward and seed,
 * trainOnValidation false; a run in the ttt section first, then one in the zoo section.
 */
export function analyzeTtt(results: StudyResults): TttPair[] {
  const rank = (r: StudyRunResult) => (r.spec.sections.includes("ttt") ? 0 : r.spec.sections.includes("zoo") ? 1 : 2);
  return runsIn(results, "ttt")
    .filter((r) => r.spec.config.trainOnValidation)
    .map((tttRun) => {
      const c = tttRun.spec.config;
      const standardRun =
        results.runs
          .filter((r) => {
            const d = r.spec.config;
            return !d.trainOnValidation && d.model === c.model && d.task === c.task && d.reward === c.reward && d.seed === c.seed;
          })
          .sort((a, b) => rank(a) - rank(b))[0] ?? null;
      return { ttt: summarizeRun(tttRun), standard: standardRun ? summarizeRun(standardRun) : null, tttRun, standardRun };
    })
    .sort((a, b) => a.ttt.seed - b.ttt.seed);
}

// ---------------------------------------------------------------------------------------------
// Learning rate: the regime in which MCS and GT gain are compared.

export interface PilotRow {
  lr: number;
  runId: string;
  /** The run's gain by the leaderboard's rule (metrics/gain.ts), null without validations. */
  gain: RunGain | null;
}

/** The pilot's runs, one per learning rate, rates ascending. */
export function analyzePilot(results: StudyResults): PilotRow[] {
  return runsIn(results, "pilot")
    .map((run) => ({ lr: run.spec.config.lr, runId: run.spec.id, gain: runGain(validationOf(run.records)) }))
    .sort((a, b) => a.lr - b.lr);
}

/**
 * The pre-registered choice (Part B): the learning rate with the largest GT gain; on a tie, the
 * smaller rate. null when no run has a gain.
 */
export function choosePilotLearningRate(rows: readonly PilotRow[]): number | null {
  let best: PilotRow | null = null;
  for (const r of rows) {
    if (!r.gain) continue;
    if (!best || r.gain.gain > best.gain!.gain || (r.gain.gain === best.gain!.gain && r.lr < best.lr)) best = r;
  }
  return best?.lr ?? null;
}
