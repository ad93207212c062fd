/**
 * Learning-rate schedules as plain data (they go into run configs and checkpoints).
 * Steps count from 0: the first update uses learningRate(schedule, 0).
 */
export type LrSchedule =
  | { readonly kind: "constant"; readonly lr: number }
  | {
      readonly kind: "cosine";
      readonly peakLr: number;
      /** Linear warmup from peakLr/warmupSteps up to peakLr over the first warmupSteps updates. */
      readonly warmupSteps: number;
      /** Cosine decay from peakLr to minLr between warmupSteps and totalSteps, minLr after. */
      readonly totalSteps: number;
      readonly minLr?: number;
    };

export function validateSchedule(s: LrSchedule): void {
  if (s.kind === "constant") {
    if (!(s.lr >= 0) || !Number.isFinite(s.lr)) throw new Error(`lr must be finite and >= 0, got ${s.lr}`);
    return;
  }
  const minLr = s.minLr ?? 0;
  if (!(s.peakLr >= 0) || !Number.isFinite(s.peakLr)) throw new Error(`peakLr must be finite and >= 0, got ${s.peakLr}`);
  if (!(minLr >= 0 && minLr <= s.peakLr)) throw new Error(`minLr must be in [0, peakLr], got ${minLr}`);
  if (!Number.isInteger(s.warmupSteps) || s.warmupSteps < 0) throw new Error(`warmupSteps must be an integer >= 0`);
  if (!Number.isInteger(s.totalSteps) || s.totalSteps < s.warmupSteps) {
    throw new Error(`totalSteps must be an integer >= warmupSteps (${s.warmupSteps}), got ${s.totalSteps}`);
  }
}

export function learningRate(s: LrSchedule, step: number): number {
  if (!Number.isInteger(step) || step < 0) throw new Error(`step must be an integer >= 0, got ${step}`);
  if (s.kind === "constant") return s.lr;
  const minLr = s.minLr ?? 0;
  if (step < s.warmupSteps) return (s.peakLr * (step + 1)) / s.warmupSteps;
  const decaySteps = s.totalSteps - s.warmupSteps;
  if (decaySteps === 0 || step >= s.totalSteps) return minLr;
  const progress = (step - s.warmupSteps) / decaySteps;
  return minLr + 0.5 * (s.peakLr - minLr) * (1 + Math.cos(Math.PI * progress));
}
