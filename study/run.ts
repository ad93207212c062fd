// Executes the study's unfinished runs, `parallel` at a time, each in the runner's own worker
// process (runner/worker-process.ts: the same engine entry point and messages as `npm run runner`,
// without the step acknowledgements: nothing here needs to hold a worker). Records
// and checkpoints go to the results folder as they arrive; on a stop signal every worker
// checkpoints and the next invocation resumes from there.
import { formatDuration } from "../runner/engine/cli/progress";
import { METRICS } from "../runner/engine/metrics/metric-names";
import { resolveModelDir } from "../runner/engine/train/model-dir";
import type { WorkerRun } from "../runner/protocol";
import { WorkerProcess } from "../runner/worker-process";
import type { ResultsFolder } from "./results";
import type { StudyPlan, StudyRunSpec } from "./types";

export interface RunOptions {
  parallel: number;
  signal: AbortSignal;
  log: (line: string) => void;
  /** A progress line per run every this many steps. */
  progressEvery: number;
}

export interface RunSummary {
  finished: string[];
  failed: Array<{ id: string; message: string }>;
  stopped: boolean;
}

type RunOutcome = { type: "done" } | { type: "stopped" } | { type: "failed"; message: string };

/** Runs one spec to its end (or to a stop) in a worker; resolves with how it ended. */
async function runOne(
  spec: StudyRunSpec,
  modelDir: string,
  folder: ResultsFolder,
  o: RunOptions,
  onStep: (spec: StudyRunSpec, step: number, metrics: Record<string, number>) => void,
): Promise<RunOutcome> {
  const previous = folder.state(spec.id);
  const { checkpoint } = folder.prepareResume(spec.id);
  const startedAt = previous?.startedAt ?? new Date().toISOString();
  const t0 = performance.now();
  const seconds = () => (previous?.seconds ?? 0) + (performance.now() - t0) / 1000;
  // Set from the message handler; `as` keeps TypeScript from taking it for null below.
  let outcome = null as RunOutcome | null;
  const run: WorkerRun = {
    kind: "engine",
    id: spec.id,
    config: spec.config,
    device: spec.config.device,
    // The study plans its runs at one thread each (plan.ts), `parallel` at a time.
    sharedThreads: 1,
    modelDir,
  };
  const worker = new WorkerProcess(
    { run, resume: checkpoint, ackSteps: false },
    {
      message: (msg) => {
        switch (msg.type) {
          case "step":
            folder.appendRecord(spec.id, msg.record);
            onStep(spec, msg.record.step, msg.record.metrics);
            break;
          case "checkpoint":
            folder.saveCheckpoint(spec.id, msg.data);
            folder.setState(spec.id, { seconds: seconds(), done: false, startedAt });
            break;
          case "done":
            outcome = msg.stopped ? { type: "stopped" } : { type: "done" };
            break;
          case "failed":
            outcome = { type: "failed", message: msg.message };
            break;
        }
      },
    },
  );
  const onAbort = () => worker.stop("shutdown");
  o.signal.addEventListener("abort", onAbort);
  const { code, signal } = await worker.exited;
  o.signal.removeEventListener("abort", onAbort);
  const result = outcome ?? {
    type: "failed" as const,
    message: `worker ended (${signal ? `signal ${signal}` : `exit ${code}`}) without a result: ${worker.stderrTail(3).join(" | ")}`,
  };
  if (result.type === "done") {
    folder.setState(spec.id, { seconds: seconds(), done: true, startedAt, finishedAt: new Date().toISOString() });
  }
  return result;
}

export async function runPlan(plan: StudyPlan, folder: ResultsFolder, o: RunOptions): Promise<RunSummary> {
  const pending = plan.runs.filter((r) => !folder.state(r.id)?.done);
  // The plan names its models as the command line does; each is resolved once, here.
  const modelDirs = new Map([...new Set(pending.map((r) => r.config.model))].map((m) => [m, resolveModelDir(m)]));
  const totalSteps = plan.runs.reduce((a, r) => a + r.config.steps, 0);
  const doneSteps = new Map(plan.runs.map((r) => [r.id, folder.state(r.id)?.done ? r.config.steps : 0]));
  const startDone = [...doneSteps.values()].reduce((a, b) => a + b, 0);
  const t0 = performance.now();
  const summary: RunSummary = { finished: [], failed: [], stopped: false };
  const finishedBefore = plan.runs.length - pending.length;
  if (finishedBefore > 0) o.log(`${finishedBefore} of ${plan.runs.length} runs already finished in ${folder.dir}; continuing`);

  const eta = () => {
    const done = [...doneSteps.values()].reduce((a, b) => a + b, 0);
    const rate = (performance.now() - t0) / 1000 / Math.max(done - startDone, 1);
    return `${Math.round((100 * done) / totalSteps)}% of steps, eta ${formatDuration(rate * (totalSteps - done))}`;
  };
  const onStep = (spec: StudyRunSpec, step: number, m: Record<string, number>) => {
    doneSteps.set(spec.id, step);
    if (step > 0 && (step % o.progressEvery === 0 || step === spec.config.steps)) {
      const fmt = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? "–" : v.toFixed(3));
      o.log(
        `  ${spec.id} step ${step}/${spec.config.steps}  reward_acc ${fmt(m[METRICS.rewardAccuracy])}` +
          `  gt_reward ${fmt(m[METRICS.groundTruthReward])}  val_acc ${fmt(m[METRICS.valAccuracy])}  (${eta()})`,
      );
    }
  };

  const queue = [...pending];
  let index = finishedBefore;
  await Promise.all(
    Array.from({ length: Math.max(1, o.parallel) }, async () => {
      for (let spec = queue.shift(); spec && !o.signal.aborted; spec = queue.shift()) {
        const n = ++index;
        o.log(`[${n}/${plan.runs.length}] ${spec.id} (${spec.sections.join(", ")}) started`);
        const r = await runOne(spec, modelDirs.get(spec.config.model)!, folder, o, onStep);
        if (r.type === "done") {
          summary.finished.push(spec.id);
          doneSteps.set(spec.id, spec.config.steps);
          o.log(`[${n}/${plan.runs.length}] ${spec.id} finished (${eta()})`);
        } else if (r.type === "stopped") {
          summary.stopped = true;
        } else {
          summary.failed.push({ id: spec.id, message: r.message });
          o.log(`[${n}/${plan.runs.length}] ${spec.id} FAILED: ${r.message}`);
        }
      }
    }),
  );
  summary.stopped ||= o.signal.aborted;
  return summary;
}
