// The recipes of the shipped base models: each folder under models/ is made by exactly one entry
// here, through the project's own pretraining (`npm run zoo` rebuilds them all; `npm run pretrain`
// with a recipe's flags rebuilds one).
//
// The arithmetic models differ in the three things that shape a prior, one at a time from the
// default (arith-small): size (tiny, medium), amount of pretraining (brief, long), and data quality
// (a share of confidently-wrong solutions: carry dropped, precedence ignored; or a narrow pool of
// prompts seen over and over). The zoo was designed by these knobs before any study ran, and is not
// changed to fit a study's correlation.
//
// Every recipe pins `threads: 1`: onnxruntime's multi-threaded kernels may sum in a different order
// on a machine with another core count, and one thread keeps a rebuild bit-identical; `npm run zoo`
// builds two recipes at a time instead.
import type { PretrainConfig } from "../runner/engine/train/pretrain-config";

export interface ZooRecipe {
  /** Folder under models/ and the BaseModel's name. */
  readonly name: string;
  /** Whether the study ranks it by MCS (the arithmetic models) or uses it for one section only. */
  readonly ranked: boolean;
  readonly config: Partial<PretrainConfig>;
}

const arith = { task: "arith", difficulty: 3, width: 64, depth: 2, heads: 4, steps: 1500, seed: 1, threads: 1, family: "arith-gpt" } as const;

export const ZOO: readonly ZooRecipe[] = [
  { name: "arith-small", ranked: true, config: { ...arith, description: "Default: 2 layers, width 64, 1500 steps of clean arithmetic" } },
  { name: "arith-tiny", ranked: true, config: { ...arith, width: 32, description: "Smaller: 2 layers, width 32, 1500 steps of clean arithmetic" } },
  { name: "arith-medium", ranked: true, config: { ...arith, width: 96, depth: 3, description: "Larger: 3 layers, width 96, 1500 steps of clean arithmetic" } },
  { name: "arith-brief", ranked: true, config: { ...arith, steps: 500, description: "Less pretraining: 500 steps of clean arithmetic" } },
  { name: "arith-long", ranked: true, config: { ...arith, steps: 4000, description: "More pretraining: 4000 steps of clean arithmetic" } },
  { name: "arith-carry", ranked: true, config: { ...arith, corruption: "carry_error:0.3", description: "30% of solutions drop every carry in additions (confidently wrong)" } },
  { name: "arith-l2r", ranked: true, config: { ...arith, corruption: "left_to_right:0.3", description: "30% of solutions ignore operator precedence (confidently wrong)" } },
  { name: "arith-narrow", ranked: true, config: { ...arith, poolSize: 256, description: "Narrow data: 1500 steps over only 256 distinct prompts" } },
  {
    name: "countdown-small",
    ranked: false,
    config: {
      task: "countdown", difficulty: 3, width: 64, depth: 2, heads: 4, steps: 2000, seed: 1, threads: 1, verificationShare: 0.5,
      family: "countdown-gpt", description: "Countdown with a learned verifier (half of pretraining is VERIFY examples), for external rewards",
    },
  },
];

/** The pretrain CLI's arguments for a recipe (the CLI records them in the manifest as its command). */
export function recipeArgs(r: ZooRecipe, modelsDir = "models"): string[] {
  const flags = Object.entries(r.config).flatMap(([k, v]) => [`--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, String(v)]);
  return [...flags, "--out", `${modelsDir}/${r.name}`];
}
