/**
 * Model Collapse Step. Pure; imported by the dashboard and the runner so that MCS is computed in one
 * place (rank statistics live in stats/).
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

/**
 * Why a run's reward method has no Model Collapse Step, or null when it has one. ground_truth's
 * reward is the ground truth: its reward accuracy is 1 at every step by construction, so a "> N"
 * there would read as a model that never collapsed.
 */
export function mcsNotApplicable(rewardMethod: string): string | null {
  return rewardMethod === "ground_truth"
    ? "n/a for ground_truth: its reward is the ground truth, so its reward accuracy is 1 at every step by construction"
    : null;
}

/** MCS as every table shows it: "42", or "> 200" when the run never collapsed (censored). */
export function mcsLabel(step: number, censored: boolean): string {
  // A median over an even number of seeds can fall between two steps.
  const n = Number.isInteger(step) ? String(step) : step.toFixed(1);
  return censored ? `> ${n}` : n;
}
