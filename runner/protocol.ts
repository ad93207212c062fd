// Messages between the runner (parent) and a run's worker process (child), over Node's IPC channel
// with `serialization: "advanced"` (structured clone), so checkpoint bytes travel as Uint8Array.
import type { StepRecord } from "./engine/train/api";

/** What a worker needs to execute one claimed run. */
export interface WorkerRun {
  id: string;
  /** Run.config as stored (TrainConfig for engine runs; { command, ... } for external ones). */
  config: unknown;
  device: string;
  attempt: number;
  /** Set for runs of an external base model: the trainer logs through the ingestion API. */
  external: null | { trackingUri: string; token: string; experimentId: string | null };
}

export type StopReason = "cancel" | "shutdown" | "lost";

export type ParentMessage =
  /**
   * `ackSteps`: after each `step` the worker waits for an `ack` before it computes the next one, so
   * the parent can hold it (the runner does while its metric buffer is full). Without it (the study)
   * the worker never waits.
   */
  | { type: "start"; run: WorkerRun; resume: Uint8Array | null; ackSteps?: boolean }
  | { type: "stop"; reason: StopReason }
  | { type: "ack" };

export type ChildMessage =
  | { type: "step"; record: StepRecord }
  /** A chunk of a validation is done: progress between steps, for the runner's watchdog. */
  | { type: "progress" }
  | { type: "checkpoint"; step: number; data: Uint8Array }
  | { type: "log"; level: "info" | "warn" | "error"; line: string }
  | { type: "done"; lastStep: number; stopped: boolean }
  | { type: "failed"; message: string; stack?: string };
