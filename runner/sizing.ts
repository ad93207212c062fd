// How many runs one runner should train at once on this machine. Small policies use many cores
// poorly, so several one-thread runs side by side often do more steps per second than one run with
// every core; whether they do here is measured, not assumed: the engine's timed iteration
// (runner/engine/cli/time-iteration.ts: bench:engine's without PyTorch, the default model's size and
// batch) once with one process on all cores, then as many processes at once as the candidate has
// slots. The faster one wins, by a margin, else one slot. The result is kept per machine (cores, CPU
// model) so later starts do not measure again.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** More slots than this would share memory bandwidth and the database pool for little gain. */
export const MAX_SLOTS = 8;
/** Several slots must beat one by this factor in steps per second: below it the single run's shorter wait wins. */
export const SIZING_MARGIN = 1.15;
/** Bumped when the measurement changes, so kept results from an older one are measured again. */
const SIZING_VERSION = 1;

export interface RunnerSizing {
  slots: number;
  threadsPerRun: number;
  /** One sentence for the start log: what was measured and why this choice. */
  reason: string;
}

/** The candidate beside one slot: one slot per core up to MAX_SLOTS, the cores shared among them. */
export function candidateSlots(cores: number): { slots: number; threadsPerRun: number } {
  const slots = Math.max(1, Math.min(cores, MAX_SLOTS));
  return { slots, threadsPerRun: Math.max(1, Math.floor(cores / slots)) };
}

/**
 * The choice from the two measurements: seconds per iteration of one run on every core, and of
 * each of `slots` runs side by side. Throughput is iterations per second summed over the slots.
 */
export function chooseSizing(cores: number, oneRun: number, candidate: { slots: number; threadsPerRun: number; secondsPerIteration: number }): RunnerSizing {
  const gain = (candidate.slots / candidate.secondsPerIteration) / (1 / oneRun);
  const measured =
    `one run on ${cores} core${cores === 1 ? "" : "s"}: ${oneRun.toFixed(2)} s per iteration; ` +
    `${candidate.slots} runs x ${candidate.threadsPerRun} thread${candidate.threadsPerRun === 1 ? "" : "s"} side by side: ` +
    `${candidate.secondsPerIteration.toFixed(2)} s each, ${gain.toFixed(2)}x the iterations per second`;
  if (candidate.slots > 1 && gain >= SIZING_MARGIN) {
    return { slots: candidate.slots, threadsPerRun: candidate.threadsPerRun, reason: `${measured} (at least ${SIZING_MARGIN}x: several slots)` };
  }
  return { slots: 1, threadsPerRun: cores, reason: candidate.slots > 1 ? `${measured} (under ${SIZING_MARGIN}x: one slot)` : `one core: one slot` };
}

/** Seconds per iteration of `processes` benchmark processes started together, `threads` each (their mean). */
async function benchIterations(processes: number, threads: number): Promise<number> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "urlvr-sizing-"));
  try {
    const seconds = await Promise.all(
      Array.from({ length: processes }, (_, i) => {
        const json = path.join(dir, `${i}.json`);
        const args = ["--import", "tsx", "runner/engine/cli/time-iteration.ts", "--prompts", "32", "--iterations", "3", "--warmup", "1", "--threads", String(threads), "--json", json];
        return new Promise<number>((resolve, reject) => {
          const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
          let err = "";
          child.stderr.on("data", (d) => (err += String(d)));
          child.on("error", reject);
          child.on("exit", (code) => {
            if (code !== 0) return reject(new Error(`the sizing benchmark failed (exit ${code}): ${err.trim().split("\n").slice(-2).join(" ")}`));
            const rows = JSON.parse(readFileSync(json, "utf8")).rows as Array<{ seconds: number }>;
            resolve(rows[0]!.seconds);
          });
        });
      }),
    );
    return seconds.reduce((s, x) => s + x, 0) / seconds.length;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The machine's key for kept results: a different CPU or core count measures again. */
export function machineKey(cores = os.availableParallelism()): string {
  return `v${SIZING_VERSION} ${cores} x ${os.cpus()[0]?.model ?? "cpu"}`;
}

/** The sizing kept in `file` for the machine `key`; undefined when none, another machine's, or unreadable. */
export function keptSizing(file: string, key: string): RunnerSizing | undefined {
  try {
    const kept = JSON.parse(readFileSync(file, "utf8")) as { machine?: unknown; sizing?: RunnerSizing };
    return kept.machine === key && kept.sizing && Number.isInteger(kept.sizing.slots) && kept.sizing.slots >= 1 ? kept.sizing : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The runner's size for this machine: kept from an earlier measurement in `file` when the machine
 * is the same, else measured now (about half a minute) and kept.
 */
export async function sizeRunner(file: string, log: (msg: string) => void): Promise<RunnerSizing> {
  const cores = os.availableParallelism();
  const key = machineKey(cores);
  const kept = keptSizing(file, key);
  if (kept) return kept;
  const candidate = candidateSlots(cores);
  if (candidate.slots === 1) return chooseSizing(cores, 1, { ...candidate, secondsPerIteration: 1 });
  log(`measuring how many runs this machine trains best at once (${cores} cores; once per machine)...`);
  const oneRun = await benchIterations(1, cores);
  const side = await benchIterations(candidate.slots, candidate.threadsPerRun);
  const sizing = chooseSizing(cores, oneRun, { ...candidate, secondsPerIteration: side });
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ machine: key, measuredAt: new Date().toISOString(), sizing }, null, 1)}\n`);
  return sizing;
}
