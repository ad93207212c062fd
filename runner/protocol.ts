// Messages between the runner (parent) and a run's worker process (child), over Node's IPC channel
// with `serialization: "advanced"` (structured clone), so checkpoint bytes travel as Uint8Array.
import type { StepRecord } from "./engine/train/api";
import type { TrainConfig } from "./engine/train/config";

/**
 * Everything a worker needs to execute one run. The worker reads no environment and resolves
 * nothing: what the parent decided (the slot's device, its share of the cores, the model's folder)
 * arrives here.
 */
export type WorkerRun = EngineRun | ExternalRun;

/** A run the engine trains. */
export interface EngineRun {
  kind: "engine";
  id: string;
  /** Run.config as stored (a TrainConfig input); the worker validates it. */
  config: unknown;
  /** The slot's device; it wins over the config's. */
  device: TrainConfig["device"];
  /**
   * onnxruntime threads for a config that leaves `threads` at 0 (one per core), which would
   * oversubscribe a machine that runs several workers: the parent's share of the cores.
   */
  sharedThreads: number;
  /** The base model's folder (manifest.json, weights.bin), absolute; config.model only names it. */
  modelDir: string;
}

/** A run of an external base model: an outside trainer that logs through the ingestion API. */
export interface ExternalRun {
  kind: "external";
  id: string;
  /** Run.config as stored: { command, env?, cwd? }. */
  config: unknown;
  /** Given to the trainer as URLVR_DEVICE. */
  device: string;
  trackingUri: string;
  token: string;
  experimentId: string | null;
}

export type StopReason = "cancel" | "shutdown" | "lost";

export type ParentMessage =
  /**
   * `ackSteps`: after each `step` the worker waits for an `ack` before it computes the next one, so
   * the parent can hold it (the runner does while its metric buffer is full). Without it (the study)
   * the worker never waits.
   */
  | { type: "start"; run: WorkerRun; resume: Uint8Array | null; ackSteps: boolean }
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
