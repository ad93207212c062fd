// The runner's side of one claimed run: starts its worker process, turns the worker's messages into
// database writes (metrics through the shared buffered writer, checkpoints and the final status
// fenced on this runner's ownership), and settles the run when the worker ends, however it ends.
import type { ChildProcess } from "node:child_process";
import type pg from "pg";
import { createToken, revokeToken } from "../server/auth/tokens";
import type { BufferedMetricWriter } from "../server/ingest/bufferedWriter";
import { toError } from "../server/ingest/errors";
import { forkWorker } from "./fork-worker";
import type { RunnerOptions } from "./options";
import type { ChildMessage, ParentMessage, StopReason, WorkerRun } from "./protocol";
import { retryTransient } from "./retry";
import type { ClaimedRunRow } from "./sql/claimRuns";
import { FINISH_RUN } from "./sql/finishRun";
import { RELEASE_RUN } from "./sql/releaseRun";
import { SAVE_CHECKPOINT } from "./sql/saveCheckpoint";
import { SELECT_BASE_MODEL } from "./sql/selectBaseModel";
import { SELECT_CHECKPOINT } from "./sql/selectCheckpoint";

const STDERR_TAIL_LINES = 20;

export interface JobContext {
  pool: pg.Pool;
  writer: BufferedMetricWriter;
  runnerId: string;
  options: RunnerOptions;
  /** onnxruntime threads for a run whose config leaves `threads` at 0: the cores shared by the slots. */
  threadsPerRun: number;
  log: (line: string) => void;
}

type Outcome = { type: "done"; lastStep: number; stopped: boolean } | { type: "failed"; message: string };

export class RunJob {
  readonly runId: string;
  /** Resolves once the run is settled in the database (or given up as lost). Never rejects. */
  readonly finished: Promise<void>;
  private child: ChildProcess | null = null;
  private childClosed = false;
  private stopReason: StopReason | null = null;
  private outcome: Outcome | null = null;
  /** Checkpoint writes, in order; settling waits for them. */
  private ops: Promise<void> = Promise.resolve();
  private tokenId: string | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  private readonly stderrTail: string[] = [];

  constructor(
    private readonly ctx: JobContext,
    private readonly claim: ClaimedRunRow,
    readonly device: string,
  ) {
    this.runId = claim.id;
    this.finished = this.run().catch((thrown) => {
      this.ctx.log(`run ${this.runId}: could not be settled: ${toError(thrown).message}`);
    });
  }

  /** Asks the worker to stop; it is killed if it has not ended within the grace period. */
  stop(reason: StopReason): void {
    if (this.childClosed || this.stopReason) return;
    this.stopReason = reason;
    this.event(reason === "cancel" ? "info" : "warn", `stopping: ${describeStop(reason)}`);
    const child = this.child;
    if (!child) return; // not started yet: run() checks stopReason before forking
    if (reason === "lost") {
      child.kill("SIGKILL"); // someone else owns the run now; nothing of ours may be written
      return;
    }
    this.send({ type: "stop", reason });
    const grace = reason === "cancel" ? this.ctx.options.cancelGraceMs : this.ctx.options.shutdownGraceMs;
    this.killTimer = setTimeout(() => {
      this.ctx.log(`run ${this.runId}: worker did not stop within ${grace} ms; killing it`);
      child.kill("SIGKILL");
    }, grace);
  }

  private async run(): Promise<void> {
    const { pool, log } = this.ctx;
    let resume: Uint8Array | null = null;
    let resumeStep: number | null = null;
    let external: WorkerRun["external"] = null;
    try {
      const [{ rows: models }, { rows: checkpoints }] = await retryTransient(
        `run ${this.runId}: loading`,
        () =>
          Promise.all([
            pool.query<{ name: string; external: boolean }>(SELECT_BASE_MODEL, [this.claim.baseModelId]),
            pool.query<{ step: number; data: Buffer }>(SELECT_CHECKPOINT, [this.runId]),
          ]),
        log,
      );
      if (checkpoints[0]) {
        resume = new Uint8Array(checkpoints[0].data);
        resumeStep = checkpoints[0].step;
      }
      if (models[0]?.external) {
        const token = await retryTransient(
          `run ${this.runId}: making its API token`,
          () => createToken(pool, `run ${this.runId} attempt ${this.claim.attempts}`),
          log,
        );
        this.tokenId = token.id;
        external = { trackingUri: this.ctx.options.trackingUri, token: token.secret, experimentId: this.claim.experimentId };
      }
    } catch (thrown) {
      return this.settle({ type: "failed", message: `could not prepare the run: ${toError(thrown).message}` });
    }
    if (this.stopReason) return this.settle(null);
    this.event(
      "info",
      `attempt ${this.claim.attempts} of ${this.claim.maxAttempts} on runner ${this.ctx.runnerId}, device ${this.device}` +
        (resumeStep !== null ? `, resuming from the checkpoint of step ${resumeStep}` : ""),
    );
    const exit = await this.runWorker({ id: this.runId, config: this.claim.config, device: this.device, attempt: this.claim.attempts, external }, resume);
    await this.ops;
    await this.settle(exit);
  }

  private runWorker(run: WorkerRun, resume: Uint8Array | null): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return new Promise((resolve) => {
      const child = forkWorker(run.device, this.ctx.threadsPerRun);
      this.child = child;
      const lines = (level: "info" | "warn") => (chunk: Buffer) => {
        for (const line of chunk.toString("utf8").split("\n")) {
          if (!line.trim()) continue;
          if (level === "warn") this.stderrTail.push(line);
          if (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.shift();
          this.event(level, line);
        }
      };
      child.stdout?.on("data", lines("info"));
      child.stderr?.on("data", lines("warn"));
      child.on("message", (msg: ChildMessage) => this.onMessage(msg));
      child.on("error", (err) => this.ctx.log(`run ${this.runId}: worker error: ${err.message}`));
      child.on("close", (code, signal) => {
        this.childClosed = true;
        if (this.killTimer) clearTimeout(this.killTimer);
        resolve({ code, signal });
      });
      this.send({ type: "start", run, resume });
    });
  }

  private onMessage(msg: ChildMessage): void {
    switch (msg.type) {
      case "step": {
        const { step, metrics, wallTime } = msg.record;
        this.ctx.writer.addPoints(
          this.runId,
          Object.entries(metrics).map(([key, value]) => ({ key, step, value, wallTime })),
        );
        break;
      }
      case "checkpoint": {
        // Points up to this step must be durable before the checkpoint is: a resume replays only
        // the steps after it.
        const { step, data } = msg;
        this.ops = this.ops.then(async () => {
          await this.ctx.writer.flush();
          if (this.stopReason === "lost") return;
          const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
          const { rowCount } = await retryTransient(
            `run ${this.runId}: saving checkpoint`,
            () => this.ctx.pool.query(SAVE_CHECKPOINT, [this.runId, this.ctx.runnerId, step, bytes]),
            this.ctx.log,
          );
          if (!rowCount) this.stop("lost");
        }).catch((thrown) => this.event("error", `checkpoint of step ${step} not saved: ${toError(thrown).message}`));
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
  private async settle(exit: { code: number | null; signal: NodeJS.Signals | null } | Outcome | null): Promise<void> {
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
      // The worker died without reporting (killed, out of memory, native crash).
      const how = exit && !("type" in exit) ? (exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`) : "unknown";
      const tail = this.stderrTail.length ? `: ${this.stderrTail.slice(-5).join(" | ")}` : "";
      const message = `worker process exited with ${how} before the run finished${tail}`;
      this.event("error", message);
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

  private async finish(status: "SUCCEEDED" | "FAILED" | "CANCELED" | "CRASHED", error: string | null): Promise<void> {
    const { rowCount } = await retryTransient(
      `run ${this.runId}: finishing`,
      () => this.ctx.pool.query(FINISH_RUN, [this.runId, this.ctx.runnerId, status, error]),
      this.ctx.log,
    );
    this.ctx.log(`run ${this.runId}: ${rowCount ? status : `${status} not recorded (no longer owned)`}${error ? ` (${error})` : ""}`);
  }

  private async release(shutdown: boolean, error: string | null): Promise<void> {
    const { rowCount } = await retryTransient(
      `run ${this.runId}: handing back`,
      () => this.ctx.pool.query(RELEASE_RUN, [this.runId, this.ctx.runnerId, shutdown, error]),
      this.ctx.log,
    );
    this.ctx.log(`run ${this.runId}: ${rowCount ? "handed back to the queue" : "not handed back (no longer owned)"}`);
  }

  private send(msg: ParentMessage): void {
    if (this.child?.connected) this.child.send(msg, (err) => err && this.ctx.log(`run ${this.runId}: ${err.message}`));
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
