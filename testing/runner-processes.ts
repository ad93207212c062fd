// Starts real runner processes for the tests, the way `npm run runner` does (node + tsx's loader);
// their workers run the real engine (testing/engine.ts makes the tiny model they train).
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type pg from "pg";
import { toError } from "../runner/engine/util/to-error";

const ROOT = path.resolve(import.meta.dirname, "..");

export interface RunnerProcess {
  proc: ChildProcess;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Fast timings for tests: 0.5 s heartbeat, 2 s lease, 200 ms polls. */
export const FAST_FLAGS = ["--heartbeat-ms", "500", "--lease-ms", "2000", "--poll-ms", "200", "--cancel-poll-ms", "300"];

/**
 * `terminal: true` starts it as `npm run runner` does (the tsx command, which runs node as its child)
 * in a process group of its own, so a test can send SIGINT to the whole group as Ctrl-C would.
 */
export function startRunner(url: string, args: string[], env: Record<string, string> = {}, { terminal = false } = {}): RunnerProcess {
  const command = terminal
    ? [path.join(ROOT, "node_modules/.bin/tsx"), ["runner/main.ts", ...args]] as const
    : [process.execPath, ["--import", "tsx", "runner/main.ts", ...args]] as const;
  const proc = spawn(command[0], [...command[1]], {
    cwd: ROOT,
    detached: terminal,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      DATABASE_URL: url,
      ...env,
    },
  });
  const output: string[] = [];
  const collect = (chunk: Buffer) => output.push(...chunk.toString("utf8").split("\n").filter(Boolean));
  proc.stdout!.on("data", collect);
  proc.stderr!.on("data", collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return { proc, output, exited };
}

/** Prints every runner's output when a test failed (call from afterEach with vitest's context). */
export function printOutputsIfFailed(ctx: { task: { result?: { state?: string } } }, runners: RunnerProcess[]): void {
  if (ctx.task.result?.state !== "fail") return;
  for (const r of runners) console.log(`--- runner pid ${r.proc.pid} output:\n${r.output.join("\n")}`);
}

export async function stopRunner(r: RunnerProcess): Promise<void> {
  if (r.proc.exitCode !== null || r.proc.signalCode !== null) return;
  r.proc.kill("SIGTERM");
  const t = setTimeout(() => r.proc.kill("SIGKILL"), 20_000);
  await r.exited;
  clearTimeout(t);
}

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    let v: T | null | undefined | false;
    try {
      v = await probe();
    } catch (err) {
      throw new Error(`while waiting for ${what}: ${toError(err).message}`);
    }
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function runStatus(pool: pg.Pool, id: string) {
  const { rows } = await pool.query(
    `SELECT status, attempts, "currentStep", "checkpointStep", "runnerId", error FROM "Run" WHERE id = $1`,
    [id],
  );
  return rows[0] as { status: string; attempts: number; currentStep: number; checkpointStep: number | null; runnerId: string | null; error: string | null };
}

/** A run's stored points: key -> step -> value (the primary key makes each step of a key unique). */
export async function storedMetrics(pool: pg.Pool, runId: string): Promise<Map<string, Map<number, number>>> {
  const { rows } = await pool.query<{ key: string; step: number; value: number }>(
    `SELECT key, step, value FROM "MetricPoint" WHERE "runId" = $1 ORDER BY key, step`,
    [runId],
  );
  const out = new Map<string, Map<number, number>>();
  for (const r of rows) {
    if (!out.has(r.key)) out.set(r.key, new Map());
    out.get(r.key)!.set(r.step, r.value);
  }
  return out;
}

/**
 * The worker processes of a runner, from /proc (no dependency on `ps`, which slim images lack). Other
 * children (tsx's esbuild service) are left out by their command line.
 */
export function workerPids(runnerPid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after the command name (which may hold spaces) start after the last ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (ppid === runnerPid && cmdline.includes("runner/worker.ts")) pids.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return pids;
}

/**
 * The pids of the worker processes that have run `runId` so far, oldest first, from the run's
 * events (each worker logs "worker process PID started" before anything else).
 */
export async function runWorkerPids(pool: pg.Pool, runId: string): Promise<number[]> {
  const { rows } = await pool.query<{ message: string }>(
    `SELECT message FROM "RunEvent" WHERE "runId" = $1 AND message LIKE 'worker process % started' ORDER BY id`,
    [runId],
  );
  return rows.map((r) => Number(/^worker process (\d+) started$/.exec(r.message)?.[1]));
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
