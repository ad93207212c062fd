// Buffers metric points and run events in memory and writes them in batches, so a training loop never
// waits on a round trip per step and a database outage never kills a run: failed batches stay in the
// buffer, the writer retries with exponential backoff, and once Postgres is back everything is
// flushed. Points are keyed by (run, key, step) and stored idempotently, so a retried batch whose
// COMMIT outcome was unknown cannot duplicate anything.
//
// The buffer is bounded by backpressure, not by dropping: `addPoints` always takes the points and
// returns a promise that stays pending while more than `maxBufferedPoints` are unstored. A producer
// that awaits it before adding more (the runner does: it acknowledges each step to its worker only
// then, and the worker waits for the acknowledgement) stops at the bound plus one add, however long
// the outage. Refusing or dropping points instead would break exactly-once; pausing the worker by a
// separate message would race with the steps already on their way. Run events are not bounded: a
// held worker sends no steps, and runs log a few lines, not one per step.
import type pg from "pg";
import { withTransaction } from "../db/pool";
import { viaPg } from "../db/sql";
import { isTransientDbError, toError } from "./errors";
import { type MetricPointInput, storeMetrics, writeMetricBatch } from "./metrics";
import { insertRunEvents } from "./sql/insert-run-events";

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
  /**
   * Backpressure: while more points than this are unstored (buffered or being written), the promise
   * `addPoints` returns stays pending. At about 100 bytes a point, the default holds about 100 MB.
   */
  maxBufferedPoints?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** Told about every failed write; `willRetry` says whether the data is kept for another try. */
  onError?: (err: Error, willRetry: boolean) => void;
  /**
   * Runs in each batch's transaction before its points are stored; false drops the batch. The runner
   * locks the Run row there if it still owns it, so a runner that lost a run (its lease expired in an
   * outage and another runner resumed it) cannot overwrite the new owner's points with its own.
   */
  fence?: (client: pg.ClientBase, runId: string) => Promise<boolean>;
}

export class BufferedMetricWriter {
  private readonly pending = new Map<string, Map<string, MetricPointInput>>();
  private pendingPoints = 0;
  /** Points taken out of `pending` by the write in progress; still unstored, so they count for the bound. */
  private inflightPoints = 0;
  /** Settled once the buffer is back within maxBufferedPoints; shared by everyone waiting. */
  private room: { promise: Promise<void>; resolve: () => void } | null = null;
  private events: RunEventInput[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inflight: Promise<void> | null = null;
  private closed = false;
  private readonly opts: Required<Omit<BufferedWriterOptions, "fence">> & Pick<BufferedWriterOptions, "fence">;
  /** Consecutive failed attempts; 0 while healthy. */
  failures = 0;

  constructor(
    private readonly pool: pg.Pool,
    options: BufferedWriterOptions = {},
  ) {
    this.opts = {
      flushIntervalMs: options.flushIntervalMs ?? 250,
      maxPendingPoints: options.maxPendingPoints ?? 20_000,
      maxBufferedPoints: options.maxBufferedPoints ?? 1_000_000,
      backoffInitialMs: options.backoffInitialMs ?? 100,
      backoffMaxMs: options.backoffMaxMs ?? 5_000,
      onError: options.onError ?? (() => {}),
      fence: options.fence,
    };
  }

  /** Points not yet stored: buffered or in the write in progress (for tests and status lines). */
  get pendingCount(): number {
    return this.pendingPoints + this.inflightPoints;
  }

  /** True while more than maxBufferedPoints are unstored: a producer that awaits `addPoints` is held. */
  get full(): boolean {
    return this.pendingCount > this.opts.maxBufferedPoints;
  }

  /**
   * Buffers points. Never throws and never refuses: data that arrives after close() is still written
   * (flushed at once). The promise resolves at once while the buffer is within maxBufferedPoints, else
   * once writes have brought it back within; a producer awaits it before adding more.
   */
  addPoints(runId: string, points: readonly MetricPointInput[]): Promise<void> {
    let forRun = this.pending.get(runId);
    if (!forRun) this.pending.set(runId, (forRun = new Map()));
    for (const p of points) {
      const id = `${p.step}\u0000${p.key}`;
      if (!forRun.has(id)) this.pendingPoints++;
      forRun.set(id, p);
    }
    this.schedule();
    if (!this.full) return Promise.resolve();
    if (!this.room) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.room = { promise, resolve };
    }
    return this.room.promise;
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

  /**
   * Drops a run's buffered points (a run this process no longer owns: its new owner replays them from
   * its checkpoint). A write already in progress is not recalled; it stores the same values. The run's
   * events stay: they are this process's account of its attempt.
   */
  discardPoints(runId: string): void {
    const forRun = this.pending.get(runId);
    if (forRun) this.pendingPoints -= forRun.size;
    this.pending.delete(runId);
    this.releaseIfRoom();
  }

  private releaseIfRoom(): void {
    if (!this.room || this.full) return;
    const { resolve } = this.room;
    this.room = null;
    resolve();
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
        await insertRunEvents(viaPg(this.pool), events);
      } catch (thrown) {
        if (isTransientDbError(thrown)) this.events = events.concat(this.events);
        throw thrown;
      }
    }
    for (const runId of [...this.pending.keys()]) {
      const forRun = this.pending.get(runId);
      if (!forRun) continue; // discarded while an earlier batch was being written
      this.pending.delete(runId);
      this.pendingPoints -= forRun.size;
      this.inflightPoints += forRun.size;
      try {
        const points = [...forRun.values()];
        const { fence } = this.opts;
        if (!fence) await writeMetricBatch(this.pool, runId, points);
        else {
          await withTransaction(this.pool, async (client) => {
            if (await fence(client, runId)) await storeMetrics(client, runId, points);
          });
        }
      } catch (thrown) {
        if (isTransientDbError(thrown)) this.putBack(runId, forRun);
        throw thrown;
      } finally {
        this.inflightPoints -= forRun.size;
        this.releaseIfRoom();
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
