// Supervised pretraining of a base model on generated solved examples (next-token cross-entropy on
// the response through the same graph machinery as RL), then a static evaluation on the validation
// split, written as a model folder: weights.bin + manifest.json with the command that made it.
import { ModelFileError, readModelDir, rewriteEvaluation, writeModelDir, type ModelManifest } from "../io/manifest";
import type { ModelConfig, Params } from "../model/config";
import { initParams } from "../model/init";
import { createPolicySession, type Policy } from "../model/policy";
import { AdamW } from "../optim/adamw";
import { learningRate } from "../optim/schedule";
import { mixedBatch, pretrainBatch } from "../tasks/pretrain";
import { getTask } from "../tasks/registry";
import type { Corruption, Problem, Task } from "../tasks/task";
import { VOCAB_SIZE } from "../tasks/tokenizer";
import { Rng } from "../util/rng";
import { pretrainConfigSchema, type PretrainConfig } from "./pretrain-config";
import { staticEvaluation, type StaticEvaluation } from "./static-eval";
import { DATA_SEED, HELD_OUT } from "./data";

export const STATIC_EVAL_PROMPTS = 256;

export interface PretrainProgress {
  step: number;
  steps: number;
  loss: number;
}

export async function pretrain(
  input: Partial<PretrainConfig>,
  out: string,
  o: {
    command: string;
    onProgress?: (p: PretrainProgress) => void;
    progressEvery?: number;
    /** Responses sampled so far by the static evaluation after training, and in all. */
    onEvalProgress?: (done: number, total: number) => void;
  },
): Promise<ModelManifest> {
  const c = pretrainConfigSchema.parse(input);
  const task = getTask(c.task, c.difficulty);
  const corruption: Corruption | undefined = c.corruption
    ? { kind: c.corruption.split(":")[0]!, rate: Number(c.corruption.split(":")[1]) }
    : undefined;
  if (corruption && !task.corruptionKinds.includes(corruption.kind)) {
    throw new Error(`${c.task} has no corruption "${corruption.kind}" (kinds: ${task.corruptionKinds.join(", ")})`);
  }
  const base = c.baseLevel === undefined ? null : getTask(c.task, c.baseLevel);
  const model: ModelConfig = {
    vocabSize: VOCAB_SIZE,
    context: c.context ?? Math.max(task.recommendedContext, base?.recommendedContext ?? 0),
    width: c.width,
    depth: c.depth,
    heads: c.heads,
  };
  const { train: pool } = task.makeSplits({ seed: DATA_SEED, trainSize: c.poolSize, valSize: HELD_OUT });
  // Each level's held-out prompts stay out of its pool, so neither level's validation is ever seen.
  const basePool = base?.makeSplits({ seed: DATA_SEED, trainSize: c.poolSize, valSize: HELD_OUT }).train;
  const rng = Rng.derive(c.seed, "pretrain");
  const params = initParams(model, Rng.derive(c.seed, "init"));
  const policy = await createPolicySession(model, { threads: c.threads || undefined });
  const optimizer = new AdamW({ weightDecay: c.weightDecay });
  const schedule = { kind: "cosine" as const, peakLr: c.lr, warmupSteps: Math.min(c.warmupSteps, c.steps), totalSteps: c.steps, minLr: c.lr / 10 };
  let loss = Number.NaN;
  try {
    for (let step = 0; step < c.steps; step++) {
      const mix = { verificationShare: c.verificationShare, corruption };
      const batch = base && basePool
        ? mixedBatch([{ task: base, pool: basePool, share: 1 - c.exposure! }, { task, pool, share: c.exposure! }], rng, c.batchSize, mix)
        : pretrainBatch(task, pool, rng, c.batchSize, mix);
      const r = await policy.ceStep(params, batch.tokens, batch.lossMask, { maxGradNorm: 1 });
      optimizer.update(params, r.grads, learningRate(schedule, step));
      loss = r.loss;
      if (o.onProgress && ((step + 1) % (o.progressEvery ?? 50) === 0 || step + 1 === c.steps)) {
        o.onProgress({ step: step + 1, steps: c.steps, loss });
      }
    }
    const evaluation = await evaluateBaseModel(policy, params, model, {
      task, seed: c.seed, k: c.evalK, onProgress: o.onEvalProgress,
    });
    return writeModelDir(out, {
      config: model,
      params,
      provenance: {
        command: o.command,
        seed: c.seed,
        details: { ...c, difficulty: task.difficulty, finalLoss: loss },
      },
      card: { family: c.family, description: c.description },
      evaluation,
    });
  } finally {
    await policy.release();
  }
}

/** The k of the static evaluation: 1, 8 and the headline k, none above the headline. */
export function staticEvalKs(k: number): number[] {
  return [...new Set([1, 8, k])].filter((x) => x <= k).sort((a, b) => a - b);
}

/** The held-out prompts of the static evaluation (the validation split does not depend on the pool size). */
export function staticEvalProblems(task: Task): Problem[] {
  return task.makeSplits({ seed: DATA_SEED, trainSize: 1, valSize: HELD_OUT }).val.slice(0, STATIC_EVAL_PROMPTS);
}

/**
 * The static evaluation of a base model as its manifest records it, from its seed alone: pretraining
 * runs it on the weights it made, `npm run evaluate` on the weights it reads, with the same result.
 */
export async function evaluateBaseModel(
  policy: Policy,
  params: Params,
  config: ModelConfig,
  m: { task: Task; seed: number; k: number; onProgress?: (done: number, total: number) => void },
): Promise<StaticEvaluation> {
  return staticEvaluation(policy, params, m.task, staticEvalProblems(m.task), {
    ks: staticEvalKs(m.k),
    maxNewTokens: config.context,
    rng: Rng.derive(m.seed, "static-eval"),
    onProgress: m.onProgress,
  });
}

/**
 * Recomputes the static evaluation of the model folder `dir` (weights verified by their checksum)
 * for its own task, difficulty and seed, and rewrites manifest.json's `evaluation` only. On a model
 * pretrained with evalK = k it reproduces what pretraining wrote.
 */
export async function evaluateModelDir(
  dir: string,
  o: {
    k: number;
    /** onnxruntime threads, 0 for its choice; absent: those pretraining used, for identical results. */
    threads?: number;
    onProgress?: (done: number, total: number) => void;
  },
): Promise<ModelManifest> {
  const { manifest, config, params } = readModelDir(dir);
  const details = manifest.provenance.details ?? {};
  if (typeof details.task !== "string" || typeof details.difficulty !== "number") {
    throw new ModelFileError(dir, "provenance.details names no task and difficulty (not made by npm run pretrain?)");
  }
  const task = getTask(details.task, details.difficulty);
  const threads = o.threads ?? (typeof details.threads === "number" ? details.threads : 0);
  const policy = await createPolicySession(config, { threads: threads || undefined });
  try {
    const evaluation = await evaluateBaseModel(policy, params, config, {
      task, seed: manifest.provenance.seed, k: o.k, onProgress: o.onProgress,
    });
    return rewriteEvaluation(dir, evaluation, { sha256: manifest.weights.sha256 });
  } finally {
    await policy.release();
  }
}
