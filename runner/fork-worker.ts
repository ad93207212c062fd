// Starting a run's worker process (worker.ts), shared by the runner and the study so that both
// execute runs through the same entry point and protocol.
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";

const WORKER_FILE = path.join(import.meta.dirname, "worker.ts");
/**
 * tsx's loader by absolute URL, so workers start whatever the caller's working directory is. Under
 * vitest, whose module runner has no import.meta.resolve, the bare name resolves from the repository
 * root where the tests run.
 */
const TSX_LOADER = typeof import.meta.resolve === "function" ? import.meta.resolve("tsx") : "tsx";

/**
 * The worker's environment: the caller's, less the database credentials. The worker never touches
 * the database (its parent writes for it), and an outside trainer it starts must not see them.
 */
function workerEnv(device: string, threadsPerRun: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, URLVR_DEVICE: device, URLVR_THREADS_PER_RUN: String(threadsPerRun) };
  delete env.DATABASE_URL;
  return env;
}

/** Forks worker.ts with IPC (structured clone, so checkpoints travel as bytes); stdout/stderr piped. */
export function forkWorker(device: string, threadsPerRun: number): ChildProcess {
  return fork(WORKER_FILE, [], {
    execArgv: ["--import", TSX_LOADER],
    serialization: "advanced",
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    env: workerEnv(device, threadsPerRun),
  });
}
