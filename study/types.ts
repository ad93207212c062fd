// What the study plans and what it hands to the report: plain data, so a finished study can be
// reloaded from its results folder and reported again without training.
import type { ModelManifest } from "../runner/engine/io/manifest";
import type { StepRecord } from "../runner/engine/train/api";
import type { TrainConfig } from "../runner/engine/train/config";

/**
 * The report's sections: each run serves one or more of them. "zoo" holds the admitted ranked models
 * (the primary analysis), "excluded" the ranked models that failed their gates (the secondary one),
 * "pilot" the learning-rate pilot (a plan of its own).
 */
export const STUDY_SECTIONS = ["zoo", "excluded", "pilot", "methods", "dataset", "ttt", "external"] as const;
export type StudySection = (typeof STUDY_SECTIONS)[number];

export interface StudyRunSpec {
  /** Unique and file-name safe, e.g. "arith-small.majority_vote.s1" or "arith-small.majority_vote.n32.s1". */
  readonly id: string;
  readonly sections: readonly StudySection[];
  /** The complete engine config (defaults filled in), exactly as train() receives it. */
  readonly config: TrainConfig;
}

export interface StudyPlan {
  readonly mode: "full" | "quick" | "pilot";
  /** Models ranked by MCS in the zoo section: the admitted ranked recipes (a subset in quick mode). */
  readonly rankedModels: readonly string[];
  /** Ranked recipes that failed their admission gates (the full study's secondary analysis). */
  readonly excludedModels: readonly string[];
  readonly seeds: readonly number[];
  /** Steps of every run. */
  readonly steps: number;
  /** The middle admitted model: the pilot's, and the methods, dataset and test-time-training sections'. */
  readonly focusModel: string;
  readonly intrinsicMethods: readonly string[];
  readonly datasetSizes: readonly number[];
  /** The countdown model and the methods compared on it in the external section. */
  readonly externalModel: string;
  readonly externalMethods: readonly string[];
  /** Learning rates the pilot tries on focusModel with ground_truth. */
  readonly pilotLearningRates: readonly number[];
  readonly runs: readonly StudyRunSpec[];
}

export interface StudyRunResult {
  readonly spec: StudyRunSpec;
  /** Step 0 (initial validation) then every step in order, as train() reported them. */
  readonly records: readonly StepRecord[];
  /** Wall-clock seconds the run took (summed over resumptions). */
  readonly seconds: number;
}

export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly onnxruntime: string;
}

export interface StudyResults {
  readonly plan: StudyPlan;
  readonly runs: readonly StudyRunResult[];
  /** Manifests of every model the plan uses, by name. */
  readonly models: Readonly<Record<string, ModelManifest>>;
  readonly machine: MachineInfo;
  /** ISO-8601 UTC of the first and last run's start / end. */
  readonly startedAt: string;
  readonly finishedAt: string;
  /** Wall-clock seconds of the whole study (two runs at a time). */
  readonly wallSeconds: number;
}
