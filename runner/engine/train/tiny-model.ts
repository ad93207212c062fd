// A tiny real model for tests: pretrained by the project's own command into a temporary folder in
// about a second, with run settings small enough that a training step takes milliseconds.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TrainConfigInput } from "./config";
import { pretrain } from "./pretrain";
import type { PretrainConfig } from "./pretrain-config";

export interface TinyModel {
  /** The model folder; a run's `config.model` may name it (it holds a slash, so it is a path). */
  model: string;
  /** Deletes the temporary folder. */
  remove(): void;
}

/**
 * Pretrains a tiny arithmetic model (width 32, one layer, level-2 problems). It answers almost
 * nothing right; `over` (e.g. 400 steps: a few percent right) gives tests a model that sometimes is.
 */
export async function tinyModel(label: string, over: Partial<PretrainConfig> = {}): Promise<TinyModel> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `urlvr-${label}-`));
  const model = path.join(dir, "tiny");
  await pretrain(
    { task: "arith", difficulty: 2, poolSize: 512, steps: 60, batchSize: 32, width: 32, depth: 1, heads: 2, evalK: 2, lr: 3e-3, ...over },
    model,
    { command: `${label} test` },
  );
  return { model, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A run config for the tiny model: 4 prompts x 4 rollouts of at most 16 tokens, one thread. */
export function tinyConfig(model: string, over: Partial<TrainConfigInput> = {}): TrainConfigInput {
  return {
    model,
    reward: "majority_vote",
    steps: 4,
    seed: 7,
    datasetSize: 32,
    promptsPerStep: 4,
    groupSize: 4,
    maxNewTokens: 16,
    valEvery: 0,
    valSize: 8,
    fullValSize: 8,
    valK: 2,
    checkpointEvery: 2,
    lr: 1e-3,
    // onnxruntime's results may depend on the thread count; one thread keeps runs comparable.
    threads: 1,
    ...over,
  };
}
