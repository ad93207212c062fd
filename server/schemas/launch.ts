/**
 * The launch form's input, shared by the form (browser) and the launch router (server): the same
 * zod schema validates both sides, and its messages appear next to the fields. Every hyperparameter
 * comes from the engine's trainConfigSchema (its range checks and defaults), never redefined here.
 * Pure: no database, safe in the browser bundle.
 */
import { z } from "zod";
import { fullEvaluationSteps, trainConfigSchema, type TrainConfig } from "@/runner/engine/train/config";
import { REWARD_METHOD_NAMES, type RewardMethodName } from "@/runner/engine/rewards/registry";

/** The hyperparameters the form edits, in form order, with their labels and help. */
export const HYPERPARAMETERS = [
  { key: "groupSize", label: "Group size (rollouts per prompt)", help: "GRPO group: rollouts sampled per prompt." },
  { key: "promptsPerStep", label: "Prompts per step", help: "Training prompts per GRPO step." },
  { key: "temperature", label: "Temperature", help: "Sampling temperature of the rollouts." },
  { key: "lr", label: "Learning rate", help: "AdamW learning rate." },
  { key: "klCoef", label: "KL coefficient", help: "Weight of the KL penalty to the reference policy (0: none)." },
  { key: "clipEps", label: "Clip range", help: "PPO/GRPO ratio clip epsilon." },
  { key: "steps", label: "Steps", help: "Training steps per run." },
  { key: "valEvery", label: "Validation interval", help: "Validate on the held-out split every this many steps (0: never)." },
  { key: "valSize", label: "Light validation prompts", help: "Held-out prompts of the validations along the way (the curves)." },
  {
    key: "fullValSize",
    label: "Full evaluation prompts",
    help: "Held-out prompts of the full evaluation at step 0 and at the last three validations, the figures GT gain uses.",
  },
  { key: "collapseThreshold", label: "Collapse threshold", help: "Reward accuracy below this marks the Model Collapse Step." },
] as const satisfies ReadonlyArray<{ key: keyof TrainConfig; label: string; help: string }>;

export type HyperparameterKey = (typeof HYPERPARAMETERS)[number]["key"];

const hyper = trainConfigSchema.pick({
  groupSize: true,
  promptsPerStep: true,
  temperature: true,
  lr: true,
  klCoef: true,
  clipEps: true,
  steps: true,
  valEvery: true,
  valSize: true,
  fullValSize: true,
  collapseThreshold: true,
}).shape;

/** The engine's defaults for every config field (the form starts from these). */
export const TRAIN_DEFAULTS: TrainConfig = trainConfigSchema.parse({});

/** Largest grid one launch may create. */
export const MAX_GRID_RUNS = 256;

function unique<T>(label: string) {
  return (xs: T[], ctx: z.RefinementCtx) => {
    if (new Set(xs).size !== xs.length) ctx.addIssue({ code: "custom", message: `${label} must not repeat a value` });
  };
}

// Flat on purpose: tRPC's error formatter flattens zod issues by their first path segment, so each
// form field is one top-level key and gets its own message.
export const launchInputSchema = z
  .object({
    name: z.string().trim().min(1, "Give the experiment a name").max(200, "At most 200 characters"),
    notes: z.string().max(10_000, "At most 10,000 characters").default(""),
    tags: z
      .array(z.string().trim().min(1, "Empty tag").max(40, "A tag has at most 40 characters"))
      .max(20, "At most 20 tags")
      .default([])
      .superRefine(unique("Tags")),
    baseModelIds: z.array(z.uuid("Unknown base model")).min(1, "Pick at least one base model").superRefine(unique("Base models")),
    rewardMethods: z.array(z.enum(REWARD_METHOD_NAMES)).min(1, "Pick at least one reward method").superRefine(unique("Reward methods")),
    task: trainConfigSchema.shape.task,
    // Empty: fresh prompts every step (the engine's one-epoch default), one run per other cell.
    datasetSizes: z
      .array(trainConfigSchema.shape.datasetSize.unwrap())
      .max(16, "At most 16 dataset sizes")
      .default([])
      .superRefine(unique("Dataset sizes")),
    seeds: z.array(trainConfigSchema.shape.seed.unwrap()).min(1, "Give at least one seed").max(16, "At most 16 seeds").superRefine(unique("Seeds")),
    ...hyper,
  })
  .superRefine((v, ctx) => {
    const n = gridSize(v);
    if (n > MAX_GRID_RUNS) ctx.addIssue({ code: "custom", path: ["grid"], message: `The grid has ${n} runs; at most ${MAX_GRID_RUNS} per launch` });
    if (v.valEvery > v.steps) ctx.addIssue({ code: "custom", path: ["valEvery"], message: "Validation interval is longer than the run (set 0 for no validation)" });
    if (v.valSize > v.fullValSize) {
      ctx.addIssue({ code: "custom", path: ["valSize"], message: "The light validation uses a subset of the full evaluation's prompts: at most as many" });
    }
  });

export type LaunchInput = z.input<typeof launchInputSchema>;
export type LaunchRequest = z.output<typeof launchInputSchema>;

/** Field names that can carry a message (schema keys, plus `grid` for the whole grid). */
export type LaunchField = keyof LaunchRequest | "grid";

export function gridSize(v: { baseModelIds: unknown[]; rewardMethods: unknown[]; datasetSizes?: unknown[]; seeds: unknown[] }): number {
  return v.baseModelIds.length * v.rewardMethods.length * Math.max(1, v.datasetSizes?.length ?? 0) * v.seeds.length;
}

export interface GridCell {
  baseModelId: string;
  rewardMethod: RewardMethodName;
  /** undefined: fresh prompts every step. */
  datasetSize: number | undefined;
  seed: number;
}

/** Every combination, in the order models x reward methods x dataset sizes x seeds. */
export function expandGrid(v: Pick<LaunchRequest, "baseModelIds" | "rewardMethods" | "datasetSizes" | "seeds">): GridCell[] {
  const cells: GridCell[] = [];
  for (const baseModelId of v.baseModelIds)
    for (const rewardMethod of v.rewardMethods)
      for (const datasetSize of v.datasetSizes.length > 0 ? v.datasetSizes : [undefined]) {
        for (const seed of v.seeds) cells.push({ baseModelId, rewardMethod, datasetSize, seed });
      }
  return cells;
}

/** The full engine config of one grid cell (what the runner receives), with model = the base model's name. */
export function runConfig(v: LaunchRequest, cell: GridCell, modelName: string): TrainConfig {
  return trainConfigSchema.parse({
    model: modelName,
    task: v.task,
    reward: cell.rewardMethod,
    datasetSize: cell.datasetSize,
    seed: cell.seed,
    groupSize: v.groupSize,
    promptsPerStep: v.promptsPerStep,
    temperature: v.temperature,
    lr: v.lr,
    klCoef: v.klCoef,
    clipEps: v.clipEps,
    steps: v.steps,
    valEvery: v.valEvery,
    valSize: v.valSize,
    fullValSize: v.fullValSize,
    collapseThreshold: v.collapseThreshold,
  });
}

export interface CostEstimate {
  runs: number;
  /** Training rollouts over the grid: runs x steps x prompts per step x group size. */
  rollouts: number;
  /**
   * Validation samples over the grid: the light validations (valSize prompts) and the full ones at
   * step 0 and the last three (fullValSize prompts), each k samples plus a greedy one per prompt.
   */
  validationSamples: number;
  /** Upper bound of sampled tokens: training rollouts and validation samples x max new tokens. */
  tokens: number;
}

/** What the grid costs, from the numbers the form holds (NaN-free: bad fields count as 0). */
export function estimateCost(v: {
  runs: number;
  steps: number;
  promptsPerStep: number;
  groupSize: number;
  valEvery: number;
  valSize?: number;
  fullValSize?: number;
}): CostEstimate {
  const num = (x: number) => (Number.isFinite(x) && x > 0 ? x : 0);
  const runs = num(v.runs);
  const steps = num(v.steps);
  const rolloutsPerRun = steps * num(v.promptsPerStep) * num(v.groupSize);
  const full = num(v.valEvery) > 0 ? 1 + fullEvaluationSteps({ steps, valEvery: num(v.valEvery) }).length : 0;
  const light = num(v.valEvery) > 0 ? Math.ceil(steps / num(v.valEvery)) + 1 - full : 0;
  const perPrompt = TRAIN_DEFAULTS.valK + 1;
  const fullSize = num(v.fullValSize ?? TRAIN_DEFAULTS.fullValSize);
  const valSamples = (light * Math.min(num(v.valSize ?? TRAIN_DEFAULTS.valSize), fullSize) + full * fullSize) * perPrompt;
  return {
    runs,
    rollouts: runs * rolloutsPerRun,
    validationSamples: runs * valSamples,
    tokens: runs * (rolloutsPerRun + valSamples) * TRAIN_DEFAULTS.maxNewTokens,
  };
}
