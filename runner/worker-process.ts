// The parent's side of a run's worker process (worker.ts), for both parents: the runner and the study.
// Both execute runs through the same entry point and protocol, so starting the process, speaking the
// protocol and ending the process are written here once.
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import type { ChildMessage, ParentMessage, StopReason, WorkerRun } from "./protocol";

const WORKER_FILE = path.join(import.meta.dirname, "worker.ts");
/**
 * tsx's loader by absolute URL, so workers start whatever the caller's working directory is. Under
 * vitest, whose module runner has no import.meta.resolve, the bare name resolves from the repository
 * root where the tests run.
 */
const TSX_LOADER = typeof import.meta.resolve === "function" ? import.meta.resolve("tsx") : "tsx";
/** Lines of the worker's stderr kept for the message of a worker that dies without reporting. */
const STDERR_TAIL_LINES = 20;

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface WorkerEvents {
  /** Every message the worker sends, in order. */
  message(msg: ChildMessage): void;
  /** Every non-blank line the worker prints: stdout as "info", stderr as "warn" (a crash, a native fault). */
  line?(level: "info" | "warn", line: string): void;
  /** A message that could not be sent, or a process that could not be started. */
  error?(err: Error): void;
}

export interface WorkerStart {
  run: WorkerRun;
  /** A checkpoint of the same run to continue from. */
  resume: Uint8Array | null;
  /** The worker waits for ack() after each step (see ParentMessage). */
  ackSteps: boolean;
}

/** One worker process running one run; started by the constructor. */
export class WorkerProcess {
  /** Resolves when the process has ended and its output is read. Never rejects. */
  readonly exited: Promise<WorkerExit>;
  private readonly child: ChildProcess;
  private ended = false;
  private killTimer: NodeJS.Timeout | null = null;
  private readonly stderr: string[] = [];

  constructor(start: WorkerStart, private readonly events: WorkerEvents) {
    this.child = fork(WORKER_FILE, [], {
      execArgv: ["--import", TSX_LOADER],
      serialization: "advanced",
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      env: workerEnv(),
    });
    this.child.stdout?.on("data", this.lines("info"));
    this.child.stderr?.on("data", this.lines("warn"));
    this.child.on("message", (msg: ChildMessage) => events.message(msg));
    this.child.on("error", (err) => events.error?.(err));
    this.exited = new Promise((resolve) => {
      this.child.on("close", (code, signal) => {
        this.ended = true;
        if (this.killTimer) clearTimeout(this.killTimer);
        resolve({ code, signal });
      });
    });
    this.send({ type: "start", ...start });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return !this.ended;
  }

  /** Lets the worker compute its next step (with `ackSteps`). */
  ack(): void {
    this.send({ type: "ack" });
  }

  /**
   * Asks the worker to checkpoint and end. With `graceMs`, one that has not ended by then is killed,
   * after `onOverdue` (to say so).
   */
  stop(reason: StopReason, graceMs?: number, onOverdue?: () => void): void {
    if (this.ended) return;
    this.send({ type: "stop", reason });
    if (graceMs === undefined || this.killTimer) return;
    this.killTimer = setTimeout(() => {
      onOverdue?.();
      this.kill();
    }, graceMs);
  }

  /** Ends the worker at once (SIGKILL): nothing more of it may happen. */
  kill(): void {
    if (!this.ended) this.child.kill("SIGKILL");
  }

  /** The last `n` lines the worker wrote to stderr. */
  stderrTail(n: number): string[] {
    return this.stderr.slice(-n);
  }

  private send(msg: ParentMessage): void {
    if (this.child.connected) this.child.send(msg, (err) => err && this.events.error?.(err));
  }

  private lines(level: "info" | "warn") {
    return (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (!line.trim()) continue;
        if (level === "warn") {
          this.stderr.push(line);
          if (this.stderr.length > STDERR_TAIL_LINES) this.stderr.shift();
        }
        this.events.line?.(level, line);
      }
    };
  }
}

/**
 * The worker's environment: the parent's, less the database credentials. The worker never touches
 * the database (its parent writes for it), and an outside trainer it starts must not see them.
 * Nothing of the run travels here: the start message carries it all.
 */
function workerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DATABASE_URL;
  return env;
}
