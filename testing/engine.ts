// The real engine for the runner's process-level tests: the engine's tiny model and run configs
// (runner/engine/train/tiny-model.ts; it stays in the engine, whose device parity check uses it), a
// corrupted copy for a real training failure, and the metrics of an uninterrupted in-process run to
// compare a runner's stored points with.
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { METRIC_NAMES } from "../runner/engine/metrics/metric-names";
import type { TrainConfigInput } from "../runner/engine/train/config";
import { KL_METRIC_EVERY, train } from "../runner/engine/train/train";

export { tinyConfig, tinyModel, type TinyModel } from "../runner/engine/train/tiny-model";

export type Metrics = Map<string, Map<number, number>>;

/**
 * A copy of `model` whose weights.bin has one byte flipped: loading it fails the manifest's
 * checksum, a real training exception (the engine refuses the model before the first step).
 */
export function corruptedCopy(model: string, to: string): string {
  cpSync(model, to, { recursive: true });
  const weights = path.join(to, "weights.bin");
  const bytes = readFileSync(weights);
  bytes[bytes.length - 5]! ^= 0xff;
  writeFileSync(weights, bytes);
  return to;
}

/** The keys a training step reports when it does not validate (every metric but val/*). */
export const STEP_KEYS = METRIC_NAMES.filter((k) => !k.startsWith("val/"));

/**
 * Points that training steps 1..done of a run of `total` steps store without validation: every
 * STEP_KEYS metric each step, except actor/kl_ref (only every KL_METRIC_EVERY steps and at the last
 * when the run has no KL loss).
 */
export function stepPoints(done: number, total: number): number {
  let kl = 0;
  for (let s = 1; s <= done; s++) if (s % KL_METRIC_EVERY === 0 || s === total) kl++;
  return done * (STEP_KEYS.length - 1) + kl;
}

/** What an uninterrupted in-process run of the real engine reports: key -> step -> value. */
export async function referenceMetrics(config: TrainConfigInput): Promise<Metrics> {
  const out: Metrics = new Map();
  await train(config, {
    onStep: (r) => {
      for (const [k, v] of Object.entries(r.metrics)) {
        if (!out.has(k)) out.set(k, new Map());
        out.get(k)!.set(r.step, v);
      }
    },
  });
  return out;
}

/** perf/* measures time and differs between any two runs. */
export function withoutPerf(m: Metrics): Metrics {
  return new Map([...m].filter(([k]) => !k.startsWith("perf/")));
}

/** key -> number of points, e.g. to compare with MetricSummary.count. */
export function pointCounts(m: Metrics): Record<string, number> {
  return Object.fromEntries([...m].map(([k, steps]) => [k, steps.size]));
}

/**
 * "key@step: got X, want Y" for every point that is missing, extra or different. NaN equals NaN, and
 * -0 equals 0 (pg sends array elements as text, where -0 prints as "0").
 */
export function differences(got: Metrics, want: Metrics): string[] {
  const out: string[] = [];
  for (const key of new Set([...got.keys(), ...want.keys()])) {
    const g = got.get(key) ?? new Map<number, number>();
    const w = want.get(key) ?? new Map<number, number>();
    for (const step of new Set([...g.keys(), ...w.keys()])) {
      const [a, b] = [g.get(step), w.get(step)];
      const same = a !== undefined && b !== undefined && (a === b || (Number.isNaN(a) && Number.isNaN(b)));
      if (!same) out.push(`${key}@${step}: got ${a}, want ${b}`);
    }
  }
  return out.sort();
}
