// Buffers metric points and run events in memory and writes them in batches, so a training loop never
// waits on a round trip per step and a database outage never kills a run: failed batches stay in the
// buffer, the writer retries with exponential backoff, and once Postgres is back everything is
// flushed. Points are keyed by (run, key, step) and stored idempotently, so a retried batch whose
// COMMIT outcome was unknown cannot duplicate anything.
import type pg from "pg";
import { isTransientDbError, toError } from "./errors";
import { type MetricPointInput, writeMetricBatch } from "./metrics";
import { INSERT_RUN_EVENTS } from "./sql/insertRunEvents";

export interface RunEventInput {
  runId: string;
  level: "debug" | "info" | "warn" | "error";
  message: string;
  /** Milliseconds since the epoch. */
  time: number;
}

export interface BufferedWriterOptions {
  /** A step reaches the database within about this long (plus the write itself). */
  flushIntervalMs?: number;
  /** Flush at once when this many points are waiting. */
  maxPendingPoints?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** Told about every failed write; `willRetry` says whether the data is kept for another try. */
  onError?: (err: Error, willRetry: boolean) => void;
}

export class BufferedMetricWriter {
  private readonly pending = new Map<string, Map<string, MetricPointInput>>();
  private pendingPoints = 0;
  private events: RunEventInput[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inflight: Promise<void> | null = null;
  private closed = false;
  private readonly opts: Required<BufferedWriterOptions>;
  /** Consecutive failed attempts; 0 while healthy. */
  failures = 0;

  constructor(
    private readonly pool: pg.Pool,
    options: BufferedWriterOptions = {},
  ) {
    this.opts = {
      flushIntervalMs: options.flushIntervalMs ?? 250,
      maxPendingPoints: options.maxPendingPoints ?? 20_000,
      backoffInitialMs: options.backoffInitialMs ?? 100,
      backoffMaxMs: options.backoffMaxMs ?? 5_000,
      onError: options.onError ?? (() => {}),
    };
  }

  /** Points waiting to be written (for tests and status lines). */
  get pendingCount(): number {
    return this.pendingPoints;
  }

  /** Buffers points. Never throws: data that arrives after close() is still written (flushed at once). */
  addPoints(runId: string, points: readonly MetricPointInput[]): void {
    let forRun = this.pending.get(runId);
    if (!forRun) this.pending.set(runId, (forRun = new Map()));
    for (const p of points) {
      const id = `${p.step}\u0000${p.key}`;
      if (!forRun.has(id)) this.pendingPoints++;
      forRun.set(id, p);
    }
    this.schedule();
  }

  addEvent(event: RunEventInput): void {
    this.events.push(event);
    this.schedule();
  }

  /** Resolves once everything added before the call is stored (waits through outages). */
  async flush(): Promise<void> {
    while (this.pendingPoints > 0 || this.events.length > 0 || this.inflight) {
      await this.kick();
    }
  }

  /** Flushes and stops the timer. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Drops everything still buffered (a run this process no longer owns). */
  discardRun(runId: string): void {
    const forRun = this.pending.get(runId);
    if (forRun) this.pendingPoints -= forRun.size;
    this.pending.delete(runId);
    this.events = this.events.filter((e) => e.runId !== runId);
  }

  private schedule(): void {
    if (this.inflight) return; // the running write loop picks new data up
    if (this.closed || this.pendingPoints >= this.opts.maxPendingPoints) {
      void this.kick();
      return;
    }
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.kick();
      }, this.opts.flushIntervalMs);
      this.timer.unref?.();
    }
  }

  private kick(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.inflight ??= this.writeLoop().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private async writeLoop(): Promise<void> {
    let backoff = this.opts.backoffInitialMs;
    while (this.pendingPoints > 0 || this.events.length > 0) {
      try {
        await this.writeOnce();
        this.failures = 0;
        backoff = this.opts.backoffInitialMs;
      } catch (thrown) {
        const err = toError(thrown);
        const retry = isTransientDbError(thrown);
        this.failures++;
        this.opts.onError(err, retry);
        if (!retry) continue; // the failed part was dropped by writeOnce
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, this.opts.backoffMaxMs);
      }
    }
  }

  /** Writes one snapshot of the buffer; on failure puts back what was not stored. */
  private async writeOnce(): Promise<void> {
    const events = this.events;
    this.events = [];
    if (events.length > 0) {
      try {
        await this.pool.query(INSERT_RUN_EVENTS, [
          events.map((e) => e.runId),
          events.map((e) => e.time),
          events.map((e) => e.level),
          events.map((e) => e.message),
        ]);
      } catch (thrown) {
        if (isTransientDbError(thrown)) this.events = events.concat(this.events);
        throw thrown;
      }
    }
    for (const [runId, forRun] of [...this.pending]) {
      this.pending.delete(runId);
      this.pendingPoints -= forRun.size;
      try {
        await writeMetricBatch(this.pool, runId, [...forRun.values()]);
      } catch (thrown) {
        if (isTransientDbError(thrown)) this.putBack(runId, forRun);
        throw thrown;
      }
    }
  }

  /** Returns failed points to the buffer; newer points of the same (key, step) win. */
  private putBack(runId: string, points: Map<string, MetricPointInput>): void {
    let forRun = this.pending.get(runId);
    if (!forRun) this.pending.set(runId, (forRun = new Map()));
    for (const [id, p] of points) {
      if (!forRun.has(id)) {
        forRun.set(id, p);
        this.pendingPoints++;
      }
    }
  }
}
