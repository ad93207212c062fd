// The training configuration: one zod schema for the CLI, the launch form, the runner and the study.
// Defaults follow the paper's setup (GRPO, 8 rollouts per prompt, temperature 1, clip 0.2, no KL)
// scaled to policies that train on two CPU cores in minutes.
import { z } from "zod";
import { REWARD_METHOD_NAMES } from "../rewards/registry";
import { TASK_LEVELS, TASK_NAMES } from "../tasks/registry";

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
    /** Training prompts; the paper's small-data finding needs 32, its large-data collapse thousands. */
    datasetSize: z.number().int().min(32).max(16_384).default(1024),
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
    /** Validation on the held-out split every this many steps (0: never). */
    valEvery: z.number().int().min(0).default(20),
    // At most the number of prompts pretraining holds out (train/pretrain.ts HELD_OUT).
    valSize: z.number().int().min(1).max(1024).default(128),
    /** k for val/pass_at_k and val/maj_at_k. */
    valK: z.number().int().min(1).max(64).default(8),
    checkpointEvery: z.number().int().min(1).default(20),
    collapseThreshold: z.number().min(0).max(1).default(0.01),
    /** Test-time training: train on the validation prompts themselves. */
    trainOnValidation: z.boolean().default(false),
    device: z.enum(DEVICES).default("cpu"),
    /** Intra-op threads for onnxruntime (0: one per core). */
    threads: z.number().int().min(0).max(256).default(0),
  })
  .strict();

export type TrainConfig = z.infer<typeof trainConfigSchema>;
export type TrainConfigInput = z.input<typeof trainConfigSchema>;

/**
 * The settings that change what training does, as opposed to how it is run, logged or measured
 * (steps, seed, validation cadence, threads, device, the collapse threshold a run reports against).
 * The paper defines MCS on runs with default hyperparameters, so the leaderboard counts a run only
 * when each of these is at its default; sweeps (learning rate, dataset size, test-time training)
 * stay on the runs pages without moving a model's rank.
 */
export const PROTOCOL_SETTINGS = [
  "datasetSize", "groupSize", "promptsPerStep", "temperature", "topP", "maxNewTokens", "lr", "lrSchedule",
  "warmupSteps", "weightDecay", "klCoef", "clipEps", "maxGradNorm", "trainOnValidation",
] as const satisfies ReadonlyArray<keyof TrainConfig>;

let defaults: TrainConfig | undefined;

/**
 * True when every protocol setting the config holds is at its default. A setting the config does
 * not hold counts as default: an outside trainer's run records only what it logged.
 */
export function usesDefaultProtocol(config: unknown): boolean {
  if (!config || typeof config !== "object") return true;
  defaults ??= trainConfigSchema.parse({});
  const c = config as Record<string, unknown>;
  return PROTOCOL_SETTINGS.every((k) => !(k in c) || c[k] === defaults![k]);
}
