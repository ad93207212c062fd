// Bootstrap intervals, seeded so a page shows the same interval on every load and a test can
// check it. A replicate is whatever the caller resamples (seeds within a model, prompts' noise):
// this file only draws and summarises.
import { Rng } from "../util/rng";
import { quantile } from "./summary";

export const BOOTSTRAP_REPLICATES = 2000;

export interface Interval {
  lo: number;
  hi: number;
  /** The coverage, e.g. 0.95. */
  level: number;
}

/** Resamples `xs` with replacement (same length). */
export function resample<T>(xs: readonly T[], rng: Rng): T[] {
  return xs.map(() => xs[rng.int(xs.length)]!);
}

export interface BootstrapOptions {
  seed?: number;
  /** Names the stream, so two figures bootstrapped with one seed get independent draws. */
  name?: string;
  replicates?: number;
}

/** Runs `replicate` B times on one seeded stream, whatever it returns. */
export function bootstrapDraws<T>(replicate: (rng: Rng) => T, o: BootstrapOptions = {}): T[] {
  const rng = new Rng(o.seed ?? 1, o.name ?? "bootstrap");
  return Array.from({ length: o.replicates ?? BOOTSTRAP_REPLICATES }, () => replicate(rng));
}

/** Numeric replicates; NaN ones (a replicate with nothing to measure) are dropped. */
export function bootstrap(replicate: (rng: Rng) => number, o: BootstrapOptions = {}): number[] {
  return bootstrapDraws(replicate, o).filter((v) => !Number.isNaN(v));
}

/** The percentile interval of replicates (NaN bounds for none). */
export function percentileInterval(replicates: readonly number[], level = 0.95): Interval {
  const a = (1 - level) / 2;
  return { lo: quantile(replicates, a), hi: quantile(replicates, 1 - a), level };
}
