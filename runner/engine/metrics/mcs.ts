/**
 * Model Collapse Step and the rank correlation the leaderboard uses. Pure; imported by the
 * dashboard and the runner so that MCS is computed in one place.
 */

export const MCS_THRESHOLD = 0.01;

export interface MetricPoint {
  readonly step: number;
  readonly value: number;
}

export interface CollapseStep {
  /** First step with value < threshold; when censored, the last step seen (0 for no points). */
  readonly step: number;
  /** True when the run never fell below the threshold: MCS is "> step", not "= step". */
  readonly censored: boolean;
}

/**
 * MCS: the first step (in step order, whatever the input order) whose value is below threshold.
 * Non-finite values (NaN, e.g. a step without rollouts) never count as collapse, but their steps
 * still count as observed for the censoring step. Empty input: { step: 0, censored: true }.
 */
export function modelCollapseStep(points: readonly MetricPoint[], threshold: number = MCS_THRESHOLD): CollapseStep {
  if (points.length === 0) return { step: 0, censored: true };
  const sorted = [...points].sort((a, b) => a.step - b.step);
  for (const p of sorted) {
    if (Number.isFinite(p.value) && p.value < threshold) return { step: p.step, censored: false };
  }
  return { step: sorted[sorted.length - 1].step, censored: true };
}

/** MCS as every table shows it: "42", or "> 200" when the run never collapsed (censored). */
export function mcsLabel(step: number, censored: boolean): string {
  // A median over an even number of seeds can fall between two steps.
  const n = Number.isInteger(step) ? String(step) : step.toFixed(1);
  return censored ? `> ${n}` : n;
}

/** Ranks starting at 1; tied values share the average of their ranks. */
export function averageRanks(xs: readonly number[]): number[] {
  const order = xs.map((_, i) => i).sort((a, b) => xs[a] - xs[b]);
  const ranks = new Array<number>(xs.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && xs[order[j + 1]] === xs[order[i]]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]] = avg;
    i = j + 1;
  }
  return ranks;
}

/**
 * Spearman rank correlation: Pearson correlation of average ranks (correct with ties).
 * NaN when fewer than 2 pairs or when either side is constant; throws on NaN inputs or
 * mismatched lengths (the caller decides what to leave out, e.g. censored MCS).
 */
export function spearman(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length) throw new Error(`spearman: lengths differ (${x.length} vs ${y.length})`);
  if ([...x, ...y].some((v) => Number.isNaN(v))) throw new Error("spearman: NaN in input");
  const n = x.length;
  if (n < 2) return Number.NaN;
  const rx = averageRanks(x);
  const ry = averageRanks(y);
  const mx = rx.reduce((a, b) => a + b, 0) / n;
  const my = ry.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (rx[i] - mx) * (ry[i] - my);
    sxx += (rx[i] - mx) ** 2;
    syy += (ry[i] - my) ** 2;
  }
  if (sxx === 0 || syy === 0) return Number.NaN;
  return sxy / Math.sqrt(sxx * syy);
}
