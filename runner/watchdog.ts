// The step watchdog's arithmetic, kept apart from processes and timers so it can be tested as plain
// functions. A worker that reports no progress (a step, or a chunk of a validation) for longer than
// its limit is presumed hung (stopped, deadlocked, stuck in a native call) and killed by its RunJob.
//
// The limit is max(floor, 20 x the run's median step interval). The floor (--stall-ms) covers what
// has no step to compare with: process start, model loading and the first chunk of the step-0
// evaluation, on the slowest device a runner may drive. The median adapts the limit to runs whose
// steps are slow; it is a median, so the steps that include a validation (25x a step for a full
// one) do not move it, and the validation's chunks count as progress so they never look like a hang.

/** The limit is this many median step intervals (when that is above the floor). */
export const STALL_MEDIAN_FACTOR = 20;
/** Step intervals kept for the median: the recent ones, so a run that slows down is judged by its pace now. */
export const STALL_WINDOW = 99;

export interface StallLimit {
  limitMs: number;
  floorMs: number;
  /** The median step interval, or null before two steps were seen. */
  medianMs: number | null;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function stallLimit(floorMs: number, intervalsMs: readonly number[]): StallLimit {
  const medianMs = median(intervalsMs);
  const limitMs = medianMs === null ? floorMs : Math.max(floorMs, STALL_MEDIAN_FACTOR * medianMs);
  return { limitMs, floorMs, medianMs };
}

const seconds = (ms: number) => `${Number((ms / 1000).toPrecision(3))} s`;

/** The RunEvent (and the run's error) for a killed worker, with the numbers that decided it. */
export function describeStall(idleMs: number, limit: StallLimit, pid: number | undefined): string {
  const { limitMs, floorMs, medianMs } = limit;
  const why =
    medianMs === null
      ? `limit ${seconds(limitMs)} = the floor (--stall-ms); no step interval seen yet`
      : limitMs > floorMs
        ? `limit ${seconds(limitMs)} = ${STALL_MEDIAN_FACTOR} x median step ${seconds(medianMs)}; floor ${seconds(floorMs)}`
        : `limit ${seconds(limitMs)} = the floor (--stall-ms); ${STALL_MEDIAN_FACTOR} x median step ${seconds(medianMs)} is less`;
  return `no step for ${seconds(idleMs)} (${why}): worker process ${pid ?? "(unknown pid)"} killed`;
}

/**
 * One run's progress clock. Times are passed in (milliseconds), so tests drive it without waiting.
 * `checkEveryMs` is how often the owner calls check(): a check that comes much later than that means
 * this process itself did not run (the runner was stopped, the machine slept), and that time is not
 * held against the worker.
 */
export class StallWatch {
  private lastProgressAt: number;
  private lastStepAt: number | null = null;
  private lastCheckAt: number;
  private readonly intervals: number[] = [];
  /** Set while the runner withholds the worker's go-ahead (a full metric buffer): not the worker's time. */
  private heldSince: number | null = null;

  constructor(
    private readonly floorMs: number,
    private readonly checkEveryMs: number,
    now: number,
  ) {
    this.lastProgressAt = now;
    this.lastCheckAt = now;
  }

  /** A step arrived. Its interval runs from the previous step, or from the worker's last release. */
  step(now: number): void {
    if (this.lastStepAt !== null) {
      this.intervals.push(now - this.lastStepAt);
      if (this.intervals.length > STALL_WINDOW) this.intervals.shift();
    }
    this.lastStepAt = now;
    this.lastProgressAt = now;
  }

  /** Other progress: a chunk of a validation. Moves the clock, not the median. */
  progress(now: number): void {
    this.lastProgressAt = now;
  }

  hold(now: number): void {
    this.heldSince ??= now;
  }

  /** The worker may go on; its clock (and its next step interval) start now. */
  release(now: number): void {
    this.heldSince = null;
    this.lastProgressAt = now;
    if (this.lastStepAt !== null) this.lastStepAt = now;
  }

  get limit(): StallLimit {
    return stallLimit(this.floorMs, this.intervals);
  }

  /** The reason to kill the worker, or null while it is within its limit (or held by the runner). */
  check(now: number, pid: number | undefined): string | null {
    const late = now - this.lastCheckAt - this.checkEveryMs;
    this.lastCheckAt = now;
    if (late > this.checkEveryMs) {
      this.lastProgressAt = Math.min(now, this.lastProgressAt + late);
      if (this.lastStepAt !== null) this.lastStepAt = Math.min(now, this.lastStepAt + late);
    }
    if (this.heldSince !== null) return null;
    const idleMs = now - this.lastProgressAt;
    const limit = this.limit;
    return idleMs > limit.limitMs ? describeStall(idleMs, limit, pid) : null;
  }
}
