// The gain of one run from its validation curve, in one place for the dashboard, the CSV and the
// study. GT gain is the mean of the last three validations minus the initial one: the last three
// are the run's full evaluations (train.ts), and their mean halves the sampling noise of one
// figure without the upward bias of taking the best validation (the maximum of ~10 noisy figures
// sits about two standard errors above their mean). It can be negative. The area under the curve
// beside it says how much of the run was spent above (or below) the start.
import { mean } from "../stats/summary";

export interface ValidationPoint {
  step: number;
  /** val/accuracy at the step. */
  value: number;
  /** val/accuracy_se at the step, when logged. */
  se: number | null;
}

export const FINAL_VALIDATIONS = 3;

export interface RunGain {
  initial: number;
  initialSe: number | null;
  /** Mean of the last FINAL_VALIDATIONS validations (fewer when the run has fewer after step 0). */
  final: number;
  finalSe: number | null;
  gain: number;
  /**
   * Standard error of the gain over prompts, conservative: the final figure's is the mean of its
   * validations' (they share the prompts, so their errors are correlated, at most perfectly), and
   * the two ends are combined as if independent (they share prompts too, which would make the
   * error of the difference smaller).
   */
  gainSe: number | null;
  /** Mean of (val/accuracy - initial) over the run's steps (trapezoids between validations). */
  auc: number;
  /** Validations after step 0 behind `final`. */
  finals: number;
}

/** null when the run has no step-0 validation or none after it. */
export function runGain(points: readonly ValidationPoint[]): RunGain | null {
  const sorted = [...points].filter((p) => Number.isFinite(p.value)).sort((a, b) => a.step - b.step);
  const first = sorted[0];
  if (!first || first.step !== 0) return null;
  const later = sorted.slice(1);
  if (later.length === 0) return null;
  const last = later.slice(-FINAL_VALIDATIONS);
  const final = mean(last.map((p) => p.value));
  const ses = last.map((p) => p.se);
  const finalSe = ses.every((s): s is number => s !== null && Number.isFinite(s)) ? mean(ses) : null;
  const initialSe = first.se !== null && Number.isFinite(first.se) ? first.se : null;
  let area = 0;
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!, b = sorted[i]!;
    area += ((a.value + b.value) / 2 - first.value) * (b.step - a.step);
  }
  return {
    initial: first.value,
    initialSe,
    final,
    finalSe,
    gain: final - first.value,
    gainSe: initialSe !== null && finalSe !== null ? Math.sqrt(initialSe ** 2 + finalSe ** 2) : null,
    auc: area / sorted[sorted.length - 1]!.step,
    finals: last.length,
  };
}
