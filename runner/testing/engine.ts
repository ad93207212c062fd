// The real engine for the runner's process-level tests: a tiny model pretrained into a temporary
// folder (about half a second), run configs small enough that a step takes milliseconds, and the
// metrics of an uninterrupted in-process run to compare a runner's stored points with.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { METRIC_NAMES } from "../engine/metrics/metricNames";
import type { TrainConfigInput } from "../engine/train/config";
import { pretrain } from "../engine/train/pretrain";
import { train } from "../engine/train/train";

export type Metrics = Map<string, Map<number, number>>;

export interface TinyModel {
  /** The model folder; a run's `config.model` may name it (it holds a slash, so it is a path). */
  model: string;
  /** Deletes the temporary folder. */
  remove(): void;
}

/** Pretrains a tiny arithmetic model (width 32, one layer) into a temporary folder. */
export async function tinyModel(label: string): Promise<TinyModel> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `urlvr-${label}-`));
  const model = path.join(dir, "tiny");
  await pretrain(
    { task: "arith", difficulty: 2, poolSize: 512, steps: 30, batchSize: 32, width: 32, depth: 1, heads: 2, evalK: 2, lr: 3e-3 },
    model,
    { command: `${label} test` },
  );
  return { model, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

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

/** A run config for the tiny model: 4 prompts x 4 rollouts of at most 16 tokens, one thread. */
export function tinyConfig(model: string, over: Partial<TrainConfigInput> = {}): TrainConfigInput {
  return {
    model,
    reward: "majority_vote",
    steps: 4,
    seed: 7,
    datasetSize: 32,
    promptsPerStep: 4,
    groupSize: 4,
    maxNewTokens: 16,
    valEvery: 0,
    valSize: 8,
    valK: 2,
    checkpointEvery: 2,
    lr: 1e-3,
    // onnxruntime's results may depend on the thread count; one thread keeps runs comparable.
    threads: 1,
    ...over,
  };
}

/** The keys a training step reports when it does not validate (every metric but val/*). */
export const STEP_KEYS = METRIC_NAMES.filter((k) => !k.startsWith("val/"));

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
