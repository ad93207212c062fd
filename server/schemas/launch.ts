/**
 * The launch form's input, shared by the form (browser) and the launch router (server): the same
 * zod schema validates both sides, and its messages appear next to the fields. Every hyperparameter
 * comes from the engine's trainConfigSchema (its range checks and defaults), never redefined here.
 * Pure: no database, safe in the browser bundle.
 */
import { z } from "zod";
import { fullEvaluationSteps, trainConfigSchema, type TrainConfig } from "@/runner/engine/train/config";
import { REWARD_METHOD_NAMES, type RewardMethodName } from "@/runner/engine/rewards/registry";
import { DEFAULT_PROTOCOL_KEY } from "@/runner/engine/train/protocol";

/**
 * The numeric settings the form edits, in form order, with their labels and help: every numeric
 * setting that makes a training protocol (runner/engine/train/protocol.ts), so any protocol the
 * leaderboard ranks can be launched from the form, plus the light validation's size. `advanced`
 * ones sit in a collapsed section.
 */
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
  { key: "maxNewTokens", label: "Max new tokens", help: "Longest response; a cut-off response has no answer.", advanced: true },
  { key: "topP", label: "Top-p", help: "Nucleus sampling of the rollouts (1: off).", advanced: true },
  { key: "warmupSteps", label: "Warm-up steps", help: "Linear learning-rate warm-up.", advanced: true },
  { key: "weightDecay", label: "Weight decay", help: "AdamW's decoupled weight decay.", advanced: true },
  { key: "maxGradNorm", label: "Gradient clip norm", help: "The update's gradient is scaled down to this global norm.", advanced: true },
  { key: "valK", label: "Samples per validation prompt (k)", help: "avg@k, pass@k and maj@k draw k samples per held-out prompt.", advanced: true },
  { key: "valTemperature", label: "Validation temperature", help: "Sampling temperature of the validation samples.", advanced: true },
  { key: "valTopP", label: "Validation top-p", help: "Nucleus sampling of the validation samples.", advanced: true },
] as const satisfies ReadonlyArray<{ key: keyof TrainConfig; label: string; help: string; advanced?: boolean }>;

export type HyperparameterKey = (typeof HYPERPARAMETERS)[number]["key"];

const HYPERPARAMETER_KEYS = HYPERPARAMETERS.map((h) => h.key);

const hyper = trainConfigSchema.pick(Object.fromEntries(HYPERPARAMETER_KEYS.map((k) => [k, true])) as { [K in HyperparameterKey]: true }).shape;

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
    ...Object.fromEntries(HYPERPARAMETER_KEYS.map((k) => [k, v[k]])),
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
  valK?: number;
  maxNewTokens?: number;
}): CostEstimate {
  const num = (x: number) => (Number.isFinite(x) && x > 0 ? x : 0);
  const runs = num(v.runs);
  const steps = num(v.steps);
  const rolloutsPerRun = steps * num(v.promptsPerStep) * num(v.groupSize);
  const full = num(v.valEvery) > 0 ? 1 + fullEvaluationSteps({ steps, valEvery: num(v.valEvery) }).length : 0;
  const light = num(v.valEvery) > 0 ? Math.ceil(steps / num(v.valEvery)) + 1 - full : 0;
  const perPrompt = num(v.valK ?? TRAIN_DEFAULTS.valK) + 1;
  const fullSize = num(v.fullValSize ?? TRAIN_DEFAULTS.fullValSize);
  const valSamples = (light * Math.min(num(v.valSize ?? TRAIN_DEFAULTS.valSize), fullSize) + full * fullSize) * perPrompt;
  return {
    runs,
    rollouts: runs * rolloutsPerRun,
    validationSamples: runs * valSamples,
    tokens: runs * (rolloutsPerRun + valSamples) * num(v.maxNewTokens ?? TRAIN_DEFAULTS.maxNewTokens),
  };
}

/** The launch preview's question: how long would this grid take (see server/services/timing.ts)? */
export const launchEstimateInputSchema = z.object({
  baseModelIds: z.array(z.uuid()).min(1).max(100),
  runsPerModel: z.number().int().min(0).max(MAX_GRID_RUNS),
  steps: trainConfigSchema.shape.steps.unwrap(),
  rolloutsPerStep: z.number().int().min(1).max(64 * 1024),
});

/** One or many values of a repeated query parameter, as a list. */
const queryList = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]).flatMap((s) => s.split(",")).map((s) => s.trim()).filter(Boolean));

/**
 * What a link may prefill in the launch form (the leaderboard's and the models page's "Probe
 * trainability"): ?model=NAME (repeated or comma-separated), ?reward=METHOD, ?seeds=1,2,3,
 * ?protocol=KEY (a leaderboard protocol key), ?name=TEXT. Everything stays editable; what cannot be
 * used is reported, never silently dropped.
 */
export const launchPrefillQuerySchema = z.object({
  model: queryList,
  reward: queryList,
  seeds: z.string().max(200).optional(),
  protocol: z.string().max(4000).optional(),
  name: z.string().max(200).optional(),
});

export interface LaunchPrefill {
  name?: string;
  modelNames: string[];
  rewardMethods?: RewardMethodName[];
  seeds?: string;
  task?: string;
  datasetSizes?: string;
  hyper: Partial<Record<HyperparameterKey, number>>;
  /** Said above the form: where the values came from, and anything the form could not take. */
  notes: string[];
}

/** The form's starting values from a prefill query (see launchPrefillQuerySchema). */
export function launchPrefill(query: z.output<typeof launchPrefillQuerySchema>, known: { models: readonly string[] }): LaunchPrefill {
  const out: LaunchPrefill = { modelNames: [], hyper: {}, notes: [] };
  if (query.name) out.name = query.name;
  const unknownModels = query.model.filter((m) => !known.models.includes(m));
  out.modelNames = query.model.filter((m) => known.models.includes(m));
  if (unknownModels.length) out.notes.push(`Not a launchable base model, left out: ${unknownModels.join(", ")}.`);
  const methods = query.reward.filter((r): r is RewardMethodName => (REWARD_METHOD_NAMES as readonly string[]).includes(r));
  const unknownMethods = query.reward.filter((r) => !methods.includes(r as RewardMethodName));
  if (methods.length) out.rewardMethods = methods;
  if (unknownMethods.length) out.notes.push(`Unknown reward method, left out: ${unknownMethods.join(", ")}.`);
  if (query.seeds) out.seeds = query.seeds;
  if (query.protocol === undefined || query.protocol === DEFAULT_PROTOCOL_KEY) {
    if (query.protocol) out.notes.push("Prefilled with the default training protocol.");
    return out;
  }
  let settings: unknown;
  try {
    settings = JSON.parse(query.protocol);
  } catch {
    settings = undefined;
  }
  if (!settings || typeof settings !== "object" || Array.isArray(settings)) {
    out.notes.push("The protocol in the link is not one the leaderboard shows; the form starts from the defaults.");
    return out;
  }
  const applied: string[] = [];
  const refused: string[] = [];
  for (const [k, v] of Object.entries(settings)) {
    const h = HYPERPARAMETERS.find((p) => p.key === k);
    const ok = h ? hyper[h.key].safeParse(v).success : false;
    if (h && ok) out.hyper[h.key] = v as number;
    else if (k === "task" && trainConfigSchema.shape.task.safeParse(v).success) out.task = v as string;
    else if (k === "datasetSize" && trainConfigSchema.shape.datasetSize.safeParse(v).success) out.datasetSizes = String(v);
    else {
      refused.push(`${k} ${JSON.stringify(v)}`);
      continue;
    }
    applied.push(`${k} ${String(v)}`);
  }
  out.notes.push(`Prefilled with the training protocol ${applied.join(", ") || "default"}.`);
  if (refused.length) out.notes.push(`The form cannot set ${refused.join(", ")}: runs launched here use the defaults for these, a protocol of their own.`);
  return out;
}
