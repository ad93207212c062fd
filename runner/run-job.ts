// The runner's side of one claimed run: starts its worker process, turns the worker's messages into
// database writes (metrics through the shared buffered writer, checkpoints and the final status
// fenced on this runner's ownership), and settles the run when the worker ends, however it ends.
import path from "node:path";
import type pg from "pg";
import { createToken, revokeToken } from "../server/auth/tokens";
import { viaPg } from "../server/db/sql";
import type { BufferedMetricWriter } from "../server/ingest/buffered-writer";
import { toError } from "../server/ingest/errors";
import type { TrainConfig } from "./engine/train/config";
import type { RunnerOptions } from "./options";
import type { ChildMessage, StopReason, WorkerRun } from "./protocol";
import { retryTransient } from "./retry";
import type { ClaimedRun } from "./sql/claim-runs";
import { finishRun, type FinalStatus } from "./sql/finish-run";
import { releaseRun } from "./sql/release-run";
import { saveCheckpoint } from "./sql/save-checkpoint";
import { selectCheckpoint } from "./sql/select-checkpoint";
import { StallWatch } from "./watchdog";
import { WorkerProcess, type WorkerExit } from "./worker-process";

/** BaseModel.artifactPath is relative to the repository root. */
const REPO_ROOT = path.resolve(import.meta.dirname, "..");
/** A worker held longer than this by a full metric buffer gets a RunEvent saying so. */
const HOLD_EVENT_MS = 1_000;

export interface JobContext {
  pool: pg.Pool;
  writer: BufferedMetricWriter;
  runnerId: string;
  options: RunnerOptions;
  /** onnxruntime threads for a run whose config leaves `threads` at 0: the cores shared by the slots. */
  sharedThreads: number;
  log: (line: string) => void;
}

type Outcome = { type: "done"; lastStep: number; stopped: boolean } | { type: "failed"; message: string };

export class RunJob {
  readonly runId: string;
  /** Resolves once the run is settled in the database (or given up as lost). Never rejects. */
  readonly finished: Promise<void>;
  private worker: WorkerProcess | null = null;
  private stopReason: StopReason | null = null;
  private outcome: Outcome | null = null;
  /** Checkpoint writes, in order; settling waits for them. */
  private ops: Promise<void> = Promise.resolve();
  /**
   * The newest checkpoint not yet saved. Only the newest is worth saving, so during an outage the
   * runner holds one checkpoint (plus the one being written), not every one the worker made.
   */
  private unsaved: { step: number; data: Uint8Array } | null = null;
  private tokenId: string | null = null;
  /** The step watchdog (engine runs only: an outside trainer reports its steps to the API, not here). */
  private watch: StallWatch | null = null;
  private watchTimer: NodeJS.Timeout | null = null;
  /** Why the watchdog killed the worker; the run is then settled as a crash with this as the reason. */
  private stallReason: string | null = null;
  /** Set while the worker waits for its ack because the metric buffer is full. */
  private held: { step: number; since: number } | null = null;

  constructor(
    private readonly ctx: JobContext,
    private readonly claim: ClaimedRun,
    readonly device: TrainConfig["device"],
  ) {
    this.runId = claim.id;
    this.finished = this.run().catch((thrown) => {
      this.ctx.log(`run ${this.runId}: could not be settled: ${toError(thrown).message}`);
    });
  }

  /** Asks the worker to stop; it is killed if it has not ended within the grace period. */
  stop(reason: StopReason): void {
    if (this.worker?.running === false || this.stopReason || this.stallReason) return;
    this.stopReason = reason;
    // The new owner replays from its checkpoint; our unstored points would only race with it.
    if (reason === "lost") this.ctx.writer.discardPoints(this.runId);
    this.event(reason === "cancel" ? "info" : "warn", `stopping: ${describeStop(reason)}`);
    const worker = this.worker;
    if (!worker) return; // not started yet: run() checks stopReason before forking
    if (reason === "lost") {
      worker.kill(); // someone else owns the run now; nothing of ours may be written
      return;
    }
    const grace = reason === "cancel" ? this.ctx.options.cancelGraceMs : this.ctx.options.shutdownGraceMs;
    worker.stop(reason, grace, () => this.ctx.log(`run ${this.runId}: worker did not stop within ${grace} ms; killing it`));
  }

  private async run(): Promise<void> {
    const { pool, log } = this.ctx;
    let checkpoint: { step: number; data: Uint8Array } | null;
    let run: WorkerRun;
    try {
      checkpoint = await retryTransient(`run ${this.runId}: loading`, () => selectCheckpoint(viaPg(pool), this.runId), log);
      run = await this.workerRun();
    } catch (thrown) {
      return this.settle({ type: "failed", message: `could not prepare the run: ${toError(thrown).message}` });
    }
    if (this.stopReason) return this.settle(null);
    this.event(
      "info",
      `attempt ${this.claim.attempts} of ${this.claim.maxAttempts} on runner ${this.ctx.runnerId}, device ${this.device}` +
        (checkpoint ? `, resuming from the checkpoint of step ${checkpoint.step}` : ""),
    );
    const exit = await this.runWorker(run, checkpoint?.data ?? null);
    await this.ops;
    await this.settle(exit);
  }

  /** What the worker executes: an outside trainer with a token of this attempt, or the engine. */
  private async workerRun(): Promise<WorkerRun> {
    const { id, config, experimentId, external, artifactPath } = this.claim;
    if (external) {
      const token = await retryTransient(
        `run ${this.runId}: making its API token`,
        () => createToken(this.ctx.pool, `run ${this.runId} attempt ${this.claim.attempts}`),
        this.ctx.log,
      );
      this.tokenId = token.id;
      return { kind: "external", id, config, device: this.device, trackingUri: this.ctx.options.trackingUri, token: token.secret, experimentId };
    }
    if (!artifactPath) throw new Error("its base model has no folder of weights (BaseModel.artifactPath is empty)");
    return { kind: "engine", id, config, device: this.device, sharedThreads: this.ctx.sharedThreads, modelDir: path.resolve(REPO_ROOT, artifactPath) };
  }

  private runWorker(run: WorkerRun, resume: Uint8Array | null): Promise<WorkerExit> {
    const worker = new WorkerProcess(
      { run, resume, ackSteps: true },
      {
        message: (msg) => this.onMessage(msg),
        line: (level, line) => this.event(level, line),
        error: (err) => this.ctx.log(`run ${this.runId}: worker: ${err.message}`),
      },
    );
    this.worker = worker;
    if (run.kind === "engine") {
      const { stallMs } = this.ctx.options;
      const every = Math.min(1_000, Math.max(50, Math.floor(stallMs / 10)));
      this.watch = new StallWatch(stallMs, every, Date.now());
      this.watchTimer = setInterval(() => this.checkStall(), every);
    }
    return worker.exited.finally(() => {
      if (this.watchTimer) clearInterval(this.watchTimer);
    });
  }

  private checkStall(): void {
    if (!this.watch || !this.worker?.running || this.stopReason || this.stallReason) return;
    const reason = this.watch.check(Date.now(), this.worker.pid);
    if (!reason) return;
    this.stallReason = reason;
    this.event("error", reason);
    this.ctx.log(`run ${this.runId}: ${reason}`);
    this.worker.kill();
  }

  /**
   * The worker computes its next step only after this ack. It is withheld while the metric buffer is
   * over its bound (an outage), so the worker waits instead of the runner's memory growing.
   */
  private ackStep(step: number, room: Promise<void>): void {
    if (this.ctx.writer.full) {
      this.held = { step, since: Date.now() };
      this.watch?.hold(this.held.since);
      this.ctx.log(`run ${this.runId}: worker held after step ${step}: ${this.ctx.writer.pendingCount} metric points wait for the database`);
    }
    void room.then(() => {
      if (this.stopReason === "lost") return; // its worker is being killed; it may not go on
      const now = Date.now();
      if (this.held) {
        const ms = now - this.held.since;
        this.ctx.log(`run ${this.runId}: worker released after ${ms} ms`);
        if (ms >= HOLD_EVENT_MS) {
          this.event("warn", `held after step ${this.held.step} for ${(ms / 1000).toFixed(1)} s: the metric buffer was full (--max-buffered-points) while the database was unreachable`);
        }
        this.held = null;
      }
      this.watch?.release(now);
      this.worker?.ack();
    });
  }

  private onMessage(msg: ChildMessage): void {
    switch (msg.type) {
      case "step": {
        const { step, metrics, wallTime } = msg.record;
        this.watch?.step(Date.now());
        const room = this.ctx.writer.addPoints(
          this.runId,
          Object.entries(metrics).map(([key, value]) => ({ key, step, value, wallTime })),
        );
        this.ackStep(step, room);
        break;
      }
      case "progress":
        this.watch?.progress(Date.now());
        break;
      case "checkpoint": {
        const queued = this.unsaved !== null;
        this.unsaved = { step: msg.step, data: msg.data };
        if (queued) break; // the save already queued takes this newer one
        this.ops = this.ops.then(async () => {
          // Points up to the checkpoint's step must be durable before the checkpoint is: a resume
          // replays only the steps after it. Once flush() resolves, every step that arrived before
          // the newest checkpoint is stored.
          await this.ctx.writer.flush();
          const { step, data } = this.unsaved!;
          this.unsaved = null;
          if (this.stopReason === "lost") return;
          try {
            const owned = await retryTransient(
              `run ${this.runId}: saving checkpoint`,
              () => saveCheckpoint(viaPg(this.ctx.pool), this.runId, this.ctx.runnerId, step, data),
              this.ctx.log,
            );
            if (!owned) this.stop("lost");
          } catch (thrown) {
            this.event("error", `checkpoint of step ${step} not saved: ${toError(thrown).message}`);
          }
        }).catch((thrown) => this.event("error", `checkpoint not saved: ${toError(thrown).message}`));
        break;
      }
      case "log":
        this.event(msg.level, msg.line);
        break;
      case "done":
      case "failed":
        this.outcome = msg.type === "done" ? { type: "done", lastStep: msg.lastStep, stopped: msg.stopped } : { type: "failed", message: msg.message };
        if (msg.type === "failed") this.event("error", msg.stack ?? msg.message);
        break;
    }
  }

  /** Decides the run's status from how the worker ended and why, and writes it. */
  private async settle(exit: WorkerExit | Outcome | null): Promise<void> {
    const outcome = exit && "type" in exit ? exit : this.outcome;
    const reason = this.stopReason;
    try {
      if (reason === "lost") {
        this.ctx.log(`run ${this.runId}: lost to another runner; left to it`);
        return;
      }
      // Metrics and log lines first: a run shown as finished has all of its points.
      await this.ctx.writer.flush();
      if (outcome?.type === "failed") return await this.finish("FAILED", outcome.message);
      if (outcome?.type === "done" && !outcome.stopped) return await this.finish("SUCCEEDED", null);
      if (reason === "cancel") return await this.finish("CANCELED", null);
      // A worker that stopped cleanly without being asked was signalled itself (Ctrl-C reaches the
      // whole process group, possibly before the runner's own handler has run): a shutdown too.
      if (reason === "shutdown" || (outcome?.type === "done" && outcome.stopped)) return await this.release(true, null);
      // The worker died without reporting (killed, out of memory, native crash), or hung and the
      // watchdog killed it (its reason is already among the events).
      const how = exit && !("type" in exit) ? (exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`) : "unknown";
      const stderr = this.worker?.stderrTail(5) ?? [];
      const tail = stderr.length ? `: ${stderr.join(" | ")}` : "";
      const message = this.stallReason ?? `worker process exited with ${how} before the run finished${tail}`;
      if (!this.stallReason) this.event("error", message);
      if (this.claim.attempts >= this.claim.maxAttempts) {
        return await this.finish("CRASHED", `Gave up after ${this.claim.attempts} of ${this.claim.maxAttempts} attempts: ${message}`);
      }
      return await this.release(false, message);
    } finally {
      if (this.tokenId) {
        const id = this.tokenId;
        await retryTransient("revoking a run token", () => revokeToken(this.ctx.pool, id), this.ctx.log).catch(() => {});
      }
    }
  }

  private async finish(status: FinalStatus, error: string | null): Promise<void> {
    const owned = await retryTransient(
      `run ${this.runId}: finishing`,
      () => finishRun(viaPg(this.ctx.pool), this.runId, this.ctx.runnerId, status, error),
      this.ctx.log,
    );
    this.ctx.log(`run ${this.runId}: ${owned ? status : `${status} not recorded (no longer owned)`}${error ? ` (${error})` : ""}`);
  }

  private async release(shutdown: boolean, error: string | null): Promise<void> {
    const owned = await retryTransient(
      `run ${this.runId}: handing back`,
      () => releaseRun(viaPg(this.ctx.pool), this.runId, this.ctx.runnerId, { shutdown, error }),
      this.ctx.log,
    );
    this.ctx.log(`run ${this.runId}: ${owned ? "handed back to the queue" : "not handed back (no longer owned)"}`);
  }

  private event(level: "info" | "warn" | "error", message: string): void {
    this.ctx.writer.addEvent({ runId: this.runId, level, message: message.slice(0, 10_000), time: Date.now() });
  }
}

function describeStop(reason: StopReason): string {
  switch (reason) {
    case "cancel":
      return "cancel requested";
    case "shutdown":
      return "the runner is shutting down; the run goes back to the queue";
    case "lost":
      return "this runner lost the run's lease to another runner";
  }
}
