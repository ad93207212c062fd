// The study's runs, derived from the zoo and a handful of settings. Every run uses the engine's
// default TrainConfig except what a section varies (model, reward, seed, dataset size, test-time
// training, task) and `threads: 1` (two runs share the two cores; one thread each changes no
// default hyperparameter). A run that serves several sections is planned once.
import { ZOO } from "../models/zoo";
import { trainConfigSchema, type TrainConfigInput } from "../runner/engine/train/config";
import type { StudyPlan, StudyRunSpec, StudySection } from "./types";

export const INTRINSIC_METHODS = ["majority_vote", "cluster_frequency", "self_certainty", "token_entropy", "trajectory_entropy", "probability"] as const;
export const EXTERNAL_METHODS = ["self_verification", "token_entropy", "ground_truth"] as const;
export const DATASET_SIZES = [32, 128, 512, 2048] as const;
/**
 * Around the default (2e-4): supervised RL gains most at low rates, majority voting collapses
 * fastest at high ones; the "lr" section shows both sides on one model.
 */
export const LEARNING_RATES = [1e-4, 5e-4] as const;

interface ModeSettings {
  rankedModels: readonly string[];
  seeds: readonly number[];
  steps: number;
  /** Only what quick mode shrinks; the full study keeps the engine's defaults. */
  overrides: Partial<TrainConfigInput>;
}

const RANKED = ZOO.filter((r) => r.ranked).map((r) => r.name);

export const MODES: Readonly<Record<StudyPlan["mode"], ModeSettings>> = {
  full: { rankedModels: RANKED, seeds: [1, 2], steps: 250, overrides: {} },
  // Minutes, not findings: fewer models, one seed, short runs, a smaller validation split.
  quick: { rankedModels: ["arith-tiny", "arith-small", "arith-brief"], seeds: [1], steps: 30, overrides: { valEvery: 10, valSize: 32 } },
};

const FOCUS_MODEL = "arith-small";
const EXTERNAL_MODEL = "countdown-small";

export function makePlan(mode: StudyPlan["mode"], o: { steps?: number } = {}): StudyPlan {
  const m = MODES[mode];
  const steps = o.steps ?? m.steps;
  const runs = new Map<string, { sections: Set<StudySection>; config: TrainConfigInput }>();
  const add = (section: StudySection, id: string, config: TrainConfigInput) => {
    const existing = runs.get(id);
    if (existing) existing.sections.add(section);
    else runs.set(id, { sections: new Set([section]), config: { ...config, ...m.overrides, steps, threads: 1 } });
  };
  const standard = (model: string, reward: string, seed: number) => ({ id: `${model}.${reward}.s${seed}`, config: { model, reward, seed } as TrainConfigInput });

  for (const model of m.rankedModels) {
    for (const seed of m.seeds) {
      for (const reward of ["majority_vote", "ground_truth"] as const) {
        const r = standard(model, reward, seed);
        add("zoo", r.id, r.config);
      }
    }
  }
  const seed = m.seeds[0]!;
  for (const reward of INTRINSIC_METHODS) {
    const r = standard(FOCUS_MODEL, reward, seed);
    add("methods", r.id, r.config);
  }
  const baseline = standard(FOCUS_MODEL, "majority_vote", seed);
  // The default dataset size (1024) is the standard run itself: one more point on the curve.
  add("dataset", baseline.id, baseline.config);
  for (const n of DATASET_SIZES) {
    add("dataset", `${FOCUS_MODEL}.majority_vote.n${n}.s${seed}`, { ...baseline.config, datasetSize: n });
  }
  add("ttt", baseline.id, baseline.config);
  add("ttt", `${FOCUS_MODEL}.majority_vote.ttt.s${seed}`, { ...baseline.config, trainOnValidation: true });
  for (const reward of ["majority_vote", "ground_truth"] as const) {
    const r = standard(FOCUS_MODEL, reward, seed);
    add("lr", r.id, r.config);
    for (const lr of LEARNING_RATES) add("lr", `${FOCUS_MODEL}.${reward}.lr${lr}.s${seed}`, { ...r.config, lr });
  }
  for (const reward of EXTERNAL_METHODS) {
    add("external", `${EXTERNAL_MODEL}.${reward}.s${seed}`, { model: EXTERNAL_MODEL, task: "countdown", reward, seed });
  }

  const specs: StudyRunSpec[] = [...runs].map(([id, r]) => ({
    id,
    sections: [...r.sections],
    config: trainConfigSchema.parse(r.config),
  }));
  return {
    mode,
    rankedModels: m.rankedModels,
    seeds: m.seeds,
    steps,
    focusModel: FOCUS_MODEL,
    intrinsicMethods: INTRINSIC_METHODS,
    datasetSizes: DATASET_SIZES,
    externalModel: EXTERNAL_MODEL,
    externalMethods: EXTERNAL_METHODS,
    learningRates: LEARNING_RATES,
    runs: specs,
  };
}
