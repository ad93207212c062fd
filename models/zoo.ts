// The recipes of the shipped base models: each folder under models/ is made by exactly one entry
// here, through the project's own pretraining (`npm run zoo` rebuilds them all; `npm run pretrain`
// with a recipe's flags rebuilds one).
//
// The ranked models (zoo v2b, docs/study/PREREGISTRATION.md, Amendment 1) are built for headroom on
// one RL task, arithmetic level 4 (four operands up to 20): the same network pretrained on level 4
// for a ladder of amounts that spans the steep rise of its competence there (pass@1 0.03 after
// 1,500 steps, 0.50 after 4,000), crossed at the middle with size and with a confidently-wrong share
// of solutions. RL gains come from eliciting what pretraining left latent at a model's edge of
// competence; the ladder moves that edge. The design and the admission gates below were fixed
// before any of these models was trained (the first design, an exposure ladder, admitted one model
// of ten: the pre-registration records it), and nothing is dropped or replaced after seeing a
// study's correlation: a model that fails its gate is reported as such.
//
// arith-small (the engine's default model, level 3 only) and countdown-small (for the external
// reward section) are shipped beside them, unranked.
//
// Every recipe pins `threads: 1`: onnxruntime's multi-threaded kernels may sum in a different order
// on a machine with another core count, and one thread keeps a rebuild bit-identical; `npm run zoo`
// builds two recipes at a time instead.
import type { PretrainConfig } from "../runner/engine/train/pretrain-config";

export interface ZooRecipe {
  /** Folder under models/ and the BaseModel's name. */
  readonly name: string;
  /** Whether the study ranks it by MCS, or uses it for one section only. */
  readonly ranked: boolean;
  readonly config: Partial<PretrainConfig>;
}

const arith = { task: "arith", difficulty: 3, width: 64, depth: 2, heads: 4, steps: 1500, seed: 1, threads: 1, family: "arith-gpt" } as const;

/** The RL task of the ranked models. */
export const RL_LEVEL = 4;

const level4 = (steps: number) => ({ ...arith, difficulty: RL_LEVEL, steps, family: "arith-l4" });

/** Pretraining steps of the amount ladder. */
export const LADDER_STEPS = [1500, 1750, 2000, 2250, 2500, 3000, 3500, 4000] as const;

export const ZOO: readonly ZooRecipe[] = [
  ...LADDER_STEPS.map((steps) => ({
    name: `arith-l4-${steps}`,
    ranked: true,
    config: { ...level4(steps), description: `${steps.toLocaleString("en-US")} steps of level-4 arithmetic: 2 layers, width 64` },
  })),
  {
    name: "arith-l4-2500-wide",
    ranked: true,
    config: { ...level4(2500), width: 96, depth: 3, description: "Larger network (3 layers, width 96), 2,500 steps of level-4 arithmetic" },
  },
  {
    name: "arith-l4-2500-carry",
    ranked: true,
    config: { ...level4(2500), corruption: "carry_error:0.3", description: "2,500 steps of level 4; 30% of solutions drop every carry in additions (confidently wrong)" },
  },
  { name: "arith-small", ranked: false, config: { ...arith, description: "The engine's default model: 2 layers, width 64, 1500 steps of level-3 arithmetic" } },
  {
    name: "countdown-small",
    ranked: false,
    config: {
      task: "countdown", difficulty: 3, width: 64, depth: 2, heads: 4, steps: 2000, seed: 1, threads: 1, verificationShare: 0.5,
      family: "countdown-gpt", description: "Countdown with a learned verifier (half of pretraining is VERIFY examples), for external rewards",
    },
  },
];

/**
 * Admission gates of a ranked model, on its RL task, from the static evaluation (256 held-out
 * prompts, 64 samples each at temperature 1, the RL temperature): sampled pass@1 within
 * [minPassAt1, maxPassAt1] (some reward signal, not at the ceiling) and pass@8 at least minHeadroom
 * above it (a group of 8 rollouts often holds a correct answer the policy does not yet prefer: the
 * headroom RL can elicit). Fixed before the zoo was trained.
 */
export const ADMISSION = { minPassAt1: 0.03, maxPassAt1: 0.5, minHeadroom: 0.1 } as const;

export interface Admission {
  passAt1: number | null;
  passAt8: number | null;
  admitted: boolean;
  /** Why a model is not admitted (empty when it is). */
  reasons: string[];
}

/** A model's gate figures and verdict from its manifest's static evaluation. */
export function admission(evaluation: unknown): Admission {
  const e = (evaluation && typeof evaluation === "object" ? evaluation : {}) as Record<string, unknown>;
  const passAt = (e.passAt && typeof e.passAt === "object" ? e.passAt : {}) as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  const passAt1 = num(passAt["1"]), passAt8 = num(passAt["8"]);
  const reasons: string[] = [];
  if (passAt1 === null || passAt8 === null) reasons.push("no pass@1 / pass@8 in the static evaluation");
  else {
    if (passAt1 < ADMISSION.minPassAt1) reasons.push(`pass@1 ${passAt1.toFixed(3)} < ${ADMISSION.minPassAt1} (almost no reward signal)`);
    if (passAt1 > ADMISSION.maxPassAt1) reasons.push(`pass@1 ${passAt1.toFixed(3)} > ${ADMISSION.maxPassAt1} (near its ceiling)`);
    if (passAt8 - passAt1 < ADMISSION.minHeadroom) reasons.push(`pass@8 - pass@1 = ${(passAt8 - passAt1).toFixed(3)} < ${ADMISSION.minHeadroom} (no headroom)`);
  }
  return { passAt1, passAt8, admitted: reasons.length === 0, reasons };
}

/** The pretrain CLI's arguments for a recipe (the CLI records them in the manifest as its command). */
export function recipeArgs(r: ZooRecipe, modelsDir = "models"): string[] {
  const flags = Object.entries(r.config).flatMap(([k, v]) => [`--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, String(v)]);
  return [...flags, "--out", `${modelsDir}/${r.name}`];
}
