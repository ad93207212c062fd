// The engine's entry point as the CLI, the runner and the study see it. A run is a TrainConfig plus
// hooks; everything it produces leaves through the hooks, so callers decide where it goes (a JSONL
// file, Postgres, a report).
import type { EvalCache } from "./eval-cache";

/** One training step's metrics, keyed by the names in metrics/metric-names.ts. */
export interface StepRecord {
  step: number;
  metrics: Record<string, number>;
  /** Milliseconds since the epoch when the step finished. */
  wallTime: number;
}

export interface TrainHooks {
  /** Called after every step, in order; awaited, so a slow sink slows training instead of losing data. */
  onStep?(record: StepRecord): void | Promise<void>;
  /** Called every `checkpointEvery` steps and when stopping on the signal; `data` resumes the run exactly. */
  onCheckpoint?(step: number, data: Uint8Array): void | Promise<void>;
  onLog?(line: string): void;
  /**
   * Called after each chunk of a validation (a full one takes about 25 steps' time), so a watchdog
   * can tell a long validation from a hung run.
   */
  onProgress?(): void;
  /** Aborting stops the run after the step in progress, with a final checkpoint. */
  signal?: AbortSignal;
  /** Where the step-0 evaluation of a base model is reused from (eval-cache.ts); none: always computed. */
  evalCache?: EvalCache;
}

export interface TrainResult {
  /** The last completed step (0 when no step ran). */
  lastStep: number;
  /** True when the signal stopped the run before its configured number of steps. */
  stopped: boolean;
}
