// The study's runs, as pre-registered in docs/study/PREREGISTRATION.md: derived from the zoo, its
// admission gates and a handful of settings fixed before the runs they govern. Every run uses the
// engine's default TrainConfig except the study protocol (STUDY_PROTOCOL), what a section varies
// (model, reward, seed, dataset size, test-time training, task, learning rate in the pilot), and
// `threads: 1` (two runs share the two cores). A run that serves several sections is planned once.
import { ZOO, admission } from "../models/zoo";
import { readManifest } from "../runner/engine/io/manifest";
import { resolveModelDir } from "../runner/engine/train/model-dir";
import { trainConfigSchema, type TrainConfigInput } from "../runner/engine/train/config";
import type { StudyPlan, StudyRunSpec, StudySection } from "./types";

export const INTRINSIC_METHODS = ["majority_vote", "cluster_frequency", "self_certainty", "token_entropy", "trajectory_entropy", "probability"] as const;
export const EXTERNAL_METHODS = ["self_verification", "token_entropy", "ground_truth"] as const;
export const DATASET_SIZES = [32, 128, 512, 2048] as const;
/** Prompts the test-time-training run trains and is evaluated on. */
export const TTT_PROMPTS = 128;

/** The pilot's learning rates (Part B): ground_truth on the middle admitted model, one seed. */
export const PILOT_LEARNING_RATES = [1e-4, 2e-4, 5e-4, 1e-3] as const;

/**
 * The study protocol (Parts A-C): level-4 solutions run up to 44 tokens, so 48 new tokens; the
 * learning rate the pilot chose; the step budget. Everything else at the engine's defaults.
 */
export const STUDY_PROTOCOL: TrainConfigInput = { maxNewTokens: 48, lr: 1e-4, steps: 150 };

export const SEEDS = [1, 2, 3] as const;

interface ModeSettings {
  seeds: readonly number[];
  steps: number;
  /** How many admitted models (all when undefined). */
  models?: number;
  /** What quick mode shrinks; the full study keeps the protocol. */
  overrides: Partial<TrainConfigInput>;
}

export const MODES: Readonly<Record<StudyPlan["mode"], ModeSettings>> = {
  full: { seeds: SEEDS, steps: STUDY_PROTOCOL.steps!, overrides: {} },
  pilot: { seeds: [1], steps: STUDY_PROTOCOL.steps!, overrides: {} },
  // Minutes, not findings: three models, one seed, short runs, small evaluations.
  quick: { seeds: [1], steps: 30, models: 3, overrides: { valEvery: 10, valSize: 32, fullValSize: 64 } },
};

const RANKED = ZOO.filter((r) => r.ranked).map((r) => r.name);
const EXTERNAL_MODEL = "countdown-small";

/** The ranked models that pass their admission gates, from their shipped manifests, in zoo order. */
export function admittedModels(): { admitted: string[]; excluded: string[] } {
  const admitted: string[] = [], excluded: string[] = [];
  for (const name of RANKED) (admission(readManifest(resolveModelDir(name)).evaluation).admitted ? admitted : excluded).push(name);
  return { admitted, excluded };
}

/** The middle admitted model in zoo order (the lower middle for an even count): the pilot's and the sections' model. */
export function middleModel(admitted: readonly string[]): string {
  if (admitted.length === 0) throw new Error("no ranked model passes its admission gates: nothing to study");
  return admitted[Math.floor((admitted.length - 1) / 2)]!;
}

export function makePlan(mode: StudyPlan["mode"], o: { steps?: number } = {}): StudyPlan {
  const m = MODES[mode];
  const steps = o.steps ?? m.steps;
  const { admitted, excluded } = admittedModels();
  const ranked = m.models ? admitted.slice(0, m.models) : admitted;
  const focus = middleModel(admitted);
  const runs = new Map<string, { sections: Set<StudySection>; config: TrainConfigInput }>();
  const add = (section: StudySection, id: string, config: TrainConfigInput) => {
    const existing = runs.get(id);
    if (existing) existing.sections.add(section);
    else runs.set(id, { sections: new Set([section]), config: { ...STUDY_PROTOCOL, ...config, ...m.overrides, steps, threads: 1 } });
  };
  const standard = (model: string, reward: string, seed: number) => ({ id: `${model}.${reward}.s${seed}`, config: { model, reward, seed } as TrainConfigInput });

  if (mode === "pilot") {
    for (const lr of PILOT_LEARNING_RATES) add("pilot", `${focus}.ground_truth.lr${lr}.s1`, { model: focus, reward: "ground_truth", seed: 1, lr });
  } else {
    const zoo = (section: StudySection, models: readonly string[]) => {
      for (const model of models) {
        for (const seed of m.seeds) {
          for (const reward of ["majority_vote", "ground_truth"] as const) {
            const r = standard(model, reward, seed);
            add(section, r.id, r.config);
          }
        }
      }
    };
    zoo("zoo", ranked);
    if (mode === "full") zoo("excluded", excluded);
    const seed = m.seeds[0]!;
    for (const reward of INTRINSIC_METHODS) {
      const r = standard(focus, reward, seed);
      add("methods", r.id, r.config);
    }
    const baseline = standard(focus, "majority_vote", seed);
    // Fresh prompts (the default) are the standard run itself: one more point on the curve.
    add("dataset", baseline.id, baseline.config);
    for (const n of DATASET_SIZES) add("dataset", `${focus}.majority_vote.n${n}.s${seed}`, { ...baseline.config, datasetSize: n });
    add("ttt", baseline.id, baseline.config);
    add("ttt", `${focus}.majority_vote.ttt.s${seed}`, {
      ...baseline.config, trainOnValidation: true, fullValSize: Math.min(TTT_PROMPTS, m.overrides.fullValSize ?? TTT_PROMPTS),
    });
    for (const reward of EXTERNAL_METHODS) {
      add("external", `${EXTERNAL_MODEL}.${reward}.s${seed}`, { model: EXTERNAL_MODEL, task: "countdown", reward, seed, maxNewTokens: undefined });
    }
  }

  const specs: StudyRunSpec[] = [...runs].map(([id, r]) => ({ id, sections: [...r.sections], config: trainConfigSchema.parse(r.config) }));
  return {
    mode,
    rankedModels: ranked,
    excludedModels: mode === "full" ? excluded : [],
    seeds: m.seeds,
    steps,
    focusModel: focus,
    intrinsicMethods: INTRINSIC_METHODS,
    datasetSizes: DATASET_SIZES,
    externalModel: EXTERNAL_MODEL,
    externalMethods: EXTERNAL_METHODS,
    pilotLearningRates: PILOT_LEARNING_RATES,
    runs: specs,
  };
}
