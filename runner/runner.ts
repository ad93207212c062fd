// The runner: claims runs from Postgres, executes each in a worker process on one of its slots,
// keeps their leases alive, forwards cancel requests, and on stop hands its runs back. The loop is
// pg-boss's shape: `while (!stopping)` claim, start, sleep (woken early when a slot frees up).
import { randomBytes } from "node:crypto";
import os from "node:os";
import type pg from "pg";
import { viaPg, type Sql } from "../server/db/sql";
import { BufferedMetricWriter } from "../server/ingest/buffered-writer";
import { isTransientDbError, toError } from "../server/ingest/errors";
import type { RunnerOptions } from "./options";
import { RunJob } from "./run-job";
import { retryTransient } from "./retry";
import { claimRuns } from "./sql/claim-runs";
import { deleteRunner } from "./sql/delete-runner";
import { deleteStaleRunners } from "./sql/delete-stale-runners";
import { lockOwnedRun } from "./sql/lock-owned-run";
import { registerRunner } from "./sql/register-runner";
import { renewLeases } from "./sql/renew-leases";
import { selectCancelRequests } from "./sql/select-cancel-requests";

/** How often a runner deletes dead runners' rows (the first heartbeat does it at once). */
const PRUNE_EVERY_MS = 10 * 60_000;

export function makeRunnerId(): string {
  return `${os.hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
}

export class Runner {
  readonly id = makeRunnerId();
  private readonly writer: BufferedMetricWriter;
  /** Active jobs by slot index; a slot's device is devices[slot % devices.length]. */
  private readonly slots = new Map<number, RunJob>();
  private stopping = false;
  private stopPromise: Promise<void> | null = null;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private timers: NodeJS.Timeout[] = [];
  private heartbeatBusy = false;
  private cancelPollBusy = false;
  private prunedAt = -Infinity;
  private readonly sql: Sql;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: RunnerOptions,
    private readonly log: (line: string) => void = (line) => console.log(`[runner] ${line}`),
  ) {
    this.sql = viaPg(pool);
    this.writer = new BufferedMetricWriter(pool, {
      maxBufferedPoints: options.maxBufferedPoints,
      onError: (err, willRetry) => this.log(`metric writer: ${err.message}${willRetry ? " (buffered; retrying)" : " (dropped)"}`),
      fence: async (client, runId) => {
        if (await lockOwnedRun(viaPg(client), runId, this.id)) return true;
        this.log(`run ${runId}: metrics not written: the run is no longer this runner's`);
        for (const job of this.slots.values()) if (job.runId === runId) job.stop("lost");
        return false;
      },
    });
  }

  async start(): Promise<void> {
    const { slots, devices } = this.options;
    await this.register();
    this.log(`${this.id} ready: ${slots} slot(s) on ${devices.join(", ")}`);
    this.timers.push(setInterval(() => void this.heartbeat(), this.options.heartbeatMs));
    this.timers.push(setInterval(() => void this.pollCancels(), this.options.cancelPollMs));
    this.loop = this.claimLoop();
  }

  /** Stops claiming, asks every worker to stop and checkpoint, hands the runs back, and deregisters. */
  stop(): Promise<void> {
    this.stopPromise ??= this.shutdown();
    return this.stopPromise;
  }

  get activeRunIds(): string[] {
    return [...this.slots.values()].map((j) => j.runId);
  }

  private async shutdown(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    const jobs = [...this.slots.values()];
    if (jobs.length) this.log(`stopping ${jobs.length} run(s) and handing them back`);
    for (const job of jobs) job.stop("shutdown");
    // Heartbeats continue while workers checkpoint, so no lease expires under them.
    await Promise.all(jobs.map((j) => j.finished));
    for (const t of this.timers) clearInterval(t);
    await this.writer.close();
    await retryTransient("deregistering", () => deleteRunner(this.sql, this.id), this.log).catch((e) =>
      this.log(`could not deregister: ${toError(e).message}`),
    );
    this.log(`${this.id} stopped`);
  }

  private register(): Promise<void> {
    const { slots, devices } = this.options;
    return registerRunner(this.sql, { id: this.id, host: os.hostname(), pid: process.pid, devices, slots });
  }

  private async claimLoop(): Promise<void> {
    let delay = this.options.pollMs;
    while (!this.stopping) {
      try {
        await this.claimOnce();
        delay = this.options.pollMs;
      } catch (thrown) {
        this.log(`claim failed: ${toError(thrown).message}`);
        delay = Math.min(delay * 2, Math.max(this.options.pollMs, 5_000));
      }
      if (this.stopping) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  private async claimOnce(): Promise<void> {
    const free = [...Array(this.options.slots).keys()].filter((s) => !this.slots.has(s));
    if (free.length === 0) return;
    const rows = await claimRuns(this.sql, this.id, free.length, this.options.leaseMs);
    for (const row of rows) {
      if (row.status !== "RUNNING") {
        this.log(`run ${row.id}: ${row.status} at claim`);
        continue;
      }
      const slot = free.shift()!;
      const device = this.options.devices[slot % this.options.devices.length]!;
      this.log(`run ${row.id}: claimed (attempt ${row.attempts}) on slot ${slot}, ${device}`);
      const sharedThreads = Math.max(1, Math.floor(os.availableParallelism() / this.options.slots));
      const ctx = { pool: this.pool, writer: this.writer, runnerId: this.id, options: this.options, sharedThreads, log: this.log };
      const job = new RunJob(ctx, row, device);
      this.slots.set(slot, job);
      void job.finished.then(() => {
        this.slots.delete(slot);
        this.wake?.();
      });
    }
  }

  private async heartbeat(): Promise<void> {
    if (this.heartbeatBusy) return;
    this.heartbeatBusy = true;
    try {
      const owned = this.activeRunIds;
      const rows = await renewLeases(this.sql, this.id, owned, this.options.leaseMs);
      if (rows.length === 0 && owned.length === 0) {
        // The Runner row may have been removed while we were away; put it back.
        await this.register();
      }
      const renewed = new Map(rows.map((r) => [r.id, r.cancelRequested]));
      for (const job of this.slots.values()) {
        if (!owned.includes(job.runId)) continue; // claimed after the heartbeat read the list
        const cancel = renewed.get(job.runId);
        if (cancel === undefined) job.stop("lost");
        else if (cancel) job.stop("cancel");
      }
    } catch (thrown) {
      this.log(`heartbeat failed: ${toError(thrown).message}`);
    } finally {
      this.heartbeatBusy = false;
    }
    await this.pruneDeadRunners();
  }

  private async pruneDeadRunners(): Promise<void> {
    if (Date.now() - this.prunedAt < PRUNE_EVERY_MS) return;
    this.prunedAt = Date.now();
    try {
      const ids = await deleteStaleRunners(this.sql, this.options.runnerRetentionMs);
      if (ids.length) {
        this.log(`deleted ${ids.length} runner row(s) not seen for ${this.options.runnerRetentionMs} ms: ${ids.join(", ")}`);
      }
    } catch (thrown) {
      this.prunedAt = -Infinity; // try again on the next heartbeat
      // An unreachable database is the heartbeat's to report.
      if (!isTransientDbError(thrown)) this.log(`pruning dead runners failed: ${toError(thrown).message}`);
    }
  }

  private async pollCancels(): Promise<void> {
    const owned = this.activeRunIds;
    if (this.cancelPollBusy || owned.length === 0) return;
    this.cancelPollBusy = true;
    try {
      const cancel = new Set(await selectCancelRequests(this.sql, owned, this.id));
      for (const job of this.slots.values()) if (cancel.has(job.runId)) job.stop("cancel");
    } catch {
      // the heartbeat reports database trouble; this poll is only a faster path
    } finally {
      this.cancelPollBusy = false;
    }
  }
}
