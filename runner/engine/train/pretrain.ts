// Supervised pretraining of a base model on generated solved examples (next-token cross-entropy on
// the response through the same graph machinery as RL), then a static evaluation on the validation
// split, written as a model folder: weights.bin + manifest.json with the command that made it.
import { writeModelDir, type ModelManifest } from "../io/manifest";
import type { ModelConfig } from "../model/config";
import { initParams } from "../model/init";
import { createPolicySession } from "../model/policy";
import { AdamW } from "../optim/adamw";
import { learningRate } from "../optim/schedule";
import { pretrainBatch } from "../tasks/pretrain";
import { getTask } from "../tasks/registry";
import type { Corruption } from "../tasks/task";
import { VOCAB_SIZE } from "../tasks/tokenizer";
import { Rng } from "../util/rng";
import { evaluatePolicy } from "./evaluate";
import { pretrainConfigSchema, type PretrainConfig } from "./pretrain-config";
import { DATA_SEED } from "./train";

/** Validation prompts excluded from pretraining: as many as any run may validate on. */
export const HELD_OUT = 1024;
const STATIC_EVAL_PROMPTS = 256;

export interface PretrainProgress {
  step: number;
  steps: number;
  loss: number;
}

export async function pretrain(
  input: Partial<PretrainConfig>,
  out: string,
  o: { command: string; onProgress?: (p: PretrainProgress) => void; progressEvery?: number } ,
): Promise<ModelManifest> {
  const c = pretrainConfigSchema.parse(input);
  const task = getTask(c.task, c.difficulty);
  const corruption: Corruption | undefined = c.corruption
    ? { kind: c.corruption.split(":")[0]!, rate: Number(c.corruption.split(":")[1]) }
    : undefined;
  if (corruption && !task.corruptionKinds.includes(corruption.kind)) {
    throw new Error(`${c.task} has no corruption "${corruption.kind}" (kinds: ${task.corruptionKinds.join(", ")})`);
  }
  const model: ModelConfig = {
    vocabSize: VOCAB_SIZE,
    context: c.context ?? task.recommendedContext,
    width: c.width,
    depth: c.depth,
    heads: c.heads,
  };
  const { train: pool, val } = task.makeSplits({ seed: DATA_SEED, trainSize: c.poolSize, valSize: HELD_OUT });
  const rng = Rng.derive(c.seed, "pretrain");
  const params = initParams(model, Rng.derive(c.seed, "init"));
  const policy = await createPolicySession(model, { threads: c.threads || undefined });
  const optimizer = new AdamW({ weightDecay: c.weightDecay });
  const schedule = { kind: "cosine" as const, peakLr: c.lr, warmupSteps: Math.min(c.warmupSteps, c.steps), totalSteps: c.steps, minLr: c.lr / 10 };
  let loss = Number.NaN;
  try {
    for (let step = 0; step < c.steps; step++) {
      const batch = pretrainBatch(task, pool, rng, c.batchSize, { verificationShare: c.verificationShare, corruption });
      const r = await policy.ceStep(params, batch.tokens, batch.lossMask, { maxGradNorm: 1 });
      optimizer.update(params, r.grads, learningRate(schedule, step));
      loss = r.loss;
      if (o.onProgress && ((step + 1) % (o.progressEvery ?? 50) === 0 || step + 1 === c.steps)) {
        o.onProgress({ step: step + 1, steps: c.steps, loss });
      }
    }
    const ev = await evaluatePolicy(policy, params, task, val.slice(0, STATIC_EVAL_PROMPTS), {
      k: c.evalK, maxNewTokens: model.context, rng: Rng.derive(c.seed, "static-eval"),
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
      evaluation: {
        prompts: STATIC_EVAL_PROMPTS,
        greedyAccuracy: ev.accuracy,
        k: ev.k,
        passAtK: ev.passAtK,
        majAtK: ev.majAtK,
      },
    });
  } finally {
    await policy.release();
  }
}
