// One claimed run, in its own process, so a crash (an exception, an out-of-memory kill, a native
// fault in onnxruntime) ends this run only and never the runner. The runner sends `start` once, with
// everything the run needs (worker-process.ts is the parent's side), and `stop` on cancel or shutdown;
// everything the run produces goes back as messages, and the runner owns every database write (one
// pool per runner, fenced by its lease).
import { spawn, type ChildProcess } from "node:child_process";
import { z } from "zod";
import { trainConfigSchema, type TrainConfig } from "./engine/train/config";
import type { StepRecord } from "./engine/train/api";
import type { ChildMessage, EngineRun, ExternalRun, ParentMessage, StopReason, WorkerRun } from "./protocol";
import { toError } from "./engine/util/to-error";

function send(msg: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(msg, undefined, {}, () => resolve());
  });
}

const controller = new AbortController();
let stopReason: StopReason | null = null;

// Flow control (start's `ackSteps`): a step is not followed by the next until the parent acknowledged
// it. Counted rather than matched, so an ack that arrives before send()'s callback is not missed.
let ackSteps = false;
let stepsSent = 0;
let stepsAcked = 0;
let wakeStep: (() => void) | null = null;

function wake(): void {
  const w = wakeStep;
  wakeStep = null;
  w?.();
}

async function sendStep(record: StepRecord): Promise<void> {
  stepsSent++;
  await send({ type: "step", record });
  // A stop goes ahead without the ack: the engine checkpoints and ends after this step.
  while (ackSteps && stepsAcked < stepsSent && !controller.signal.aborted) {
    await new Promise<void>((resolve) => (wakeStep = resolve));
  }
}

function requestStop(reason: StopReason): void {
  stopReason ??= reason;
  if (!controller.signal.aborted) controller.abort(new Error(`stop requested: ${reason}`));
  wake();
}

async function runEngine(run: EngineRun, resume: Uint8Array | null): Promise<void> {
  const parsed = trainConfigSchema.safeParse(run.config);
  if (!parsed.success) {
    throw new Error(`Run config is not a valid TrainConfig: ${z.prettifyError(parsed.error)}`);
  }
  const threads = parsed.data.threads === 0 ? run.sharedThreads : parsed.data.threads;
  const config: TrainConfig = { ...parsed.data, device: run.device, threads };
  // Loaded here, not at the top: an external run never needs the engine (nor onnxruntime).
  const { train } = await import("./engine/train/train");
  const { fileEvalCache } = await import("./engine/train/eval-cache");
  const result = await train(
    config,
    {
      onStep: sendStep,
      onCheckpoint: (step, data) => send({ type: "checkpoint", step, data }),
      onLog: (line) => void send({ type: "log", level: "info", line }),
      onProgress: () => void send({ type: "progress" }),
      signal: controller.signal,
      evalCache: fileEvalCache(),
    },
    resume ?? undefined,
    run.modelDir,
  );
  await send({ type: "done", lastStep: result.lastStep, stopped: result.stopped });
}

const externalConfigSchema = z
  .object({
    command: z.array(z.string().min(1)).min(1, "command must name a program"),
    env: z.record(z.string(), z.string()).optional(),
    cwd: z.string().optional(),
  })
  .passthrough();

/** Runs an outside trainer; its metrics arrive through the ingestion API with the given token. */
async function runExternal(run: ExternalRun): Promise<void> {
  const parsed = externalConfigSchema.safeParse(run.config);
  if (!parsed.success) {
    throw new Error(`An external run's config needs "command" (an argv array): ${z.prettifyError(parsed.error)}`);
  }
  const { command, env, cwd } = parsed.data;
  const child: ChildProcess = spawn(command[0]!, command.slice(1), {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      ...env,
      MLFLOW_TRACKING_URI: run.trackingUri,
      MLFLOW_RUN_ID: run.id,
      MLFLOW_TRACKING_TOKEN: run.token,
      ...(run.experimentId ? { MLFLOW_EXPERIMENT_ID: run.experimentId } : {}),
      URLVR_DEVICE: run.device,
    },
  });
  const forward = (level: "info" | "warn") => (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) void send({ type: "log", level, line });
  };
  child.stdout?.on("data", forward("info"));
  child.stderr?.on("data", forward("warn"));
  let killTimer: NodeJS.Timeout | undefined;
  controller.signal.addEventListener("abort", () => {
    child.kill("SIGTERM");
    killTimer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  });
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on("error", (err) => reject(new Error(`could not start ${command[0]}: ${err.message}`)));
    child.on("close", (c, s) => resolve({ code: c, signal: s }));
  });
  clearTimeout(killTimer);
  if (controller.signal.aborted) return send({ type: "done", lastStep: 0, stopped: true });
  if (code !== 0) throw new Error(`${command.join(" ")} exited with ${signal ? `signal ${signal}` : `code ${code}`}`);
  await send({ type: "done", lastStep: 0, stopped: false });
}

async function execute(run: WorkerRun, resume: Uint8Array | null): Promise<void> {
  // Which process runs this attempt, in the run's events: the one to inspect (or kill) when it hangs.
  await send({ type: "log", level: "info", line: `worker process ${process.pid} started` });
  try {
    if (run.kind === "external") await runExternal(run);
    else await runEngine(run, resume);
  } catch (thrown) {
    const err = toError(thrown);
    await send({ type: "failed", message: err.message, stack: err.stack });
  }
  process.exit(0);
}

// The runner died (kill -9, crash): stop at once. Its lease will expire and another runner resumes
// the run from the last checkpoint; writing anything now could race with that runner.
process.on("disconnect", () => process.exit(1));
// Ctrl-C reaches the whole process group; the runner coordinates the stop through `stop`.
process.on("SIGINT", () => requestStop("shutdown"));
process.on("SIGTERM", () => requestStop("shutdown"));

let started = false;
process.on("message", (msg: ParentMessage) => {
  if (msg.type === "start" && !started) {
    started = true;
    ackSteps = msg.ackSteps;
    void execute(msg.run, msg.resume);
  } else if (msg.type === "stop") {
    requestStop(msg.reason);
  } else if (msg.type === "ack") {
    stepsAcked++;
    wake();
  }
});

if (!process.send) {
  console.error("runner/worker.ts is started by the runner (npm run runner), not by hand.");
  process.exit(2);
}
