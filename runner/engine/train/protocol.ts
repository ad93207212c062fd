// Training protocols: which runs the leaderboard may compare. The paper defines MCS and GT gain on
// runs with one set of hyperparameters; a model's figures are comparable with another's only when
// both come from the same protocol. A run's protocol is the set of its settings that differ from
// the engine's defaults, among those that change what training does or what its figures measure.
import { trainConfigSchema, type TrainConfig } from "./config";

/**
 * Settings that make a protocol. Left out: the seed (replicates of one protocol), the device and
 * threads, checkpoint cadence, the light validation's size (it only draws the curves), and the
 * model and reward method (what the leaderboard compares within a protocol).
 */
export const PROTOCOL_SETTINGS = [
  "task", "difficulty", "steps", "datasetSize", "groupSize", "promptsPerStep", "temperature", "topP", "maxNewTokens",
  "lr", "lrSchedule", "warmupSteps", "weightDecay", "klCoef", "clipEps", "maxGradNorm", "trainOnValidation",
  "valEvery", "fullValSize", "valK", "valTemperature", "valTopP", "collapseThreshold",
] as const satisfies ReadonlyArray<keyof TrainConfig>;

export type ProtocolSetting = (typeof PROTOCOL_SETTINGS)[number];

export interface Protocol {
  /** Stable identity: "default", or the differing settings as canonical JSON. */
  key: string;
  /** For people: "default" or "steps 40, datasetSize 256". */
  label: string;
  /** The settings that differ from the defaults, in PROTOCOL_SETTINGS order. */
  differences: Array<[ProtocolSetting, unknown]>;
}

export const DEFAULT_PROTOCOL_KEY = "default";

let defaults: TrainConfig | undefined;

/**
 * The protocol of a run's config. A setting the config does not hold counts as default (an outside
 * trainer's run records only what it logged). datasetSize counts as default when unset or when it
 * holds at least steps x promptsPerStep prompts: no prompt repeats either way.
 */
export function protocolOf(config: unknown): Protocol {
  defaults ??= trainConfigSchema.parse({});
  const c = (config && typeof config === "object" ? config : {}) as Record<string, unknown>;
  const differences: Protocol["differences"] = [];
  for (const k of PROTOCOL_SETTINGS) {
    if (!(k in c) || c[k] === undefined || c[k] === defaults[k]) continue;
    if (k === "datasetSize") {
      const steps = typeof c.steps === "number" ? c.steps : defaults.steps;
      const perStep = typeof c.promptsPerStep === "number" ? c.promptsPerStep : defaults.promptsPerStep;
      if (typeof c[k] === "number" && (c[k] as number) >= steps * perStep) continue;
    }
    differences.push([k, c[k]]);
  }
  if (differences.length === 0) return { key: DEFAULT_PROTOCOL_KEY, label: "default", differences };
  return {
    key: JSON.stringify(Object.fromEntries(differences)),
    label: differences.map(([k, v]) => `${k} ${String(v)}`).join(", "),
    differences,
  };
}

/** True when every protocol setting the config holds is at its default (see protocolOf). */
export function usesDefaultProtocol(config: unknown): boolean {
  return protocolOf(config).key === DEFAULT_PROTOCOL_KEY;
}
