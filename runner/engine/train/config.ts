// The training configuration: one zod schema for the CLI, the launch form, the runner and the study.
// Defaults follow the paper's setup (GRPO, 8 rollouts per prompt, temperature 1, clip 0.2, no KL,
// fresh prompts, validation by avg@8 at temperature 0.6 / top-p 0.95) scaled to policies that train
// on two CPU cores in minutes.
import { MCS_THRESHOLD } from "../metrics/mcs";
import { z } from "zod";
import { REWARD_METHOD_NAMES } from "../rewards/registry";
import { TASK_LEVELS, TASK_NAMES } from "../tasks/registry";
import { SPLIT_SIZE_LIMIT } from "../tasks/task";
import { HELD_OUT } from "./data";

export const DEVICES = ["cpu", "webgpu"] as const;

export const DEFAULT_MODEL = "arith-small";

export const trainConfigSchema = z
  .object({
    /** A shipped model's name (folder under models/) or a path to a model folder. */
    model: z.string().min(1).default(DEFAULT_MODEL),
    task: z.enum(TASK_NAMES).default("arith"),
    /** Task difficulty level; when omitted, the level the base model was pretrained on. */
    difficulty: z.number().int().min(1).max(Math.max(...Object.values(TASK_LEVELS).flatMap((t) => t.levels))).optional(),
    reward: z.enum(REWARD_METHOD_NAMES).default("majority_vote"),
    steps: z.number().int().min(1).max(100_000).default(200),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
    /**
     * Training prompts. Unset (the default): steps x promptsPerStep, so every step sees fresh prompts
     * (one epoch, as in the paper); a prompt seen again is partly memorised, and training accuracy
     * then rises without any held-out gain. Set it for the small-data experiments (32, 128...):
     * the prompts then repeat, epoch after epoch.
     */
    datasetSize: z.number().int().min(32).max(SPLIT_SIZE_LIMIT).optional(),
    /** Rollouts per prompt (GRPO group). */
    groupSize: z.number().int().min(2).max(64).default(8),
    promptsPerStep: z.number().int().min(1).max(1024).default(32),
    temperature: z.number().gt(0).max(5).default(1.0),
    topP: z.number().gt(0).max(1).default(1.0),
    maxNewTokens: z.number().int().min(1).max(256).default(40),
    lr: z.number().gt(0).max(1).default(2e-4),
    lrSchedule: z.enum(["constant", "cosine"]).default("constant"),
    warmupSteps: z.number().int().min(0).default(0),
    weightDecay: z.number().min(0).max(1).default(0.0),
    klCoef: z.number().min(0).max(10).default(0),
    clipEps: z.number().gt(0).max(1).default(0.2),
    maxGradNorm: z.number().gt(0).default(1.0),
    /** The light validation along the way (the curves) every this many steps (0: no validation at all). */
    valEvery: z.number().int().min(0).default(25),
    /** Held-out prompts of the light validation: the first valSize of the full evaluation's (all when fewer). */
    valSize: z.number().int().min(1).max(HELD_OUT).default(256),
    /**
     * Held-out prompts of the full evaluation, at step 0 and at the last three validations (the
     * figures GT gain uses). At most the prompts pretraining holds out (data.ts HELD_OUT).
     */
    fullValSize: z.number().int().min(1).max(HELD_OUT).default(HELD_OUT),
    /** Samples per prompt: val/accuracy is their mean correctness (avg@k), beside pass@k and maj@k. */
    valK: z.number().int().min(1).max(64).default(8),
    /** Sampling temperature and top-p of validation (the paper's 0.6 / 0.95). */
    valTemperature: z.number().gt(0).max(5).default(0.6),
    valTopP: z.number().gt(0).max(1).default(0.95),
    checkpointEvery: z.number().int().min(1).default(20),
    collapseThreshold: z.number().min(0).max(1).default(MCS_THRESHOLD),
    /** Test-time training: train on the validation prompts themselves. */
    trainOnValidation: z.boolean().default(false),
    device: z.enum(DEVICES).default("cpu"),
    /** Intra-op threads for onnxruntime (0: one per core; with several workers, per worker, 0 meaning 1). */
    threads: z.number().int().min(0).max(256).default(0),
    /**
     * Worker threads that split every batch (model/policy-pool.ts), each with its own sessions. On a
     * small CPU two single-threaded workers beat one two-threaded session (bench:engine --workers).
     * Results are deterministic for a seed and a worker count; another count samples other streams.
     */
    workers: z.number().int().min(1).max(64).default(1),
  })
  .strict();

export type TrainConfig = z.infer<typeof trainConfigSchema>;
export type TrainConfigInput = z.input<typeof trainConfigSchema>;

/** The one-epoch default of datasetSize: every step draws fresh prompts. */
export function effectiveDatasetSize(c: Pick<TrainConfig, "datasetSize" | "steps" | "promptsPerStep">): number {
  return c.datasetSize ?? Math.min(c.steps * c.promptsPerStep, SPLIT_SIZE_LIMIT);
}

/** Full evaluations happen at step 0 and at these steps: the last three validations of the run. */
export function fullEvaluationSteps(c: Pick<TrainConfig, "steps" | "valEvery">): number[] {
  if (c.valEvery <= 0) return [];
  const at: number[] = [];
  for (let s = c.valEvery; s < c.steps; s += c.valEvery) at.push(s);
  at.push(c.steps);
  return at.slice(-3);
}
