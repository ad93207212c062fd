// A training checkpoint: weights, AdamW moments, RNG state, data cursor and the config, in the
// engine's weights-file format (io/weights.ts) with the scalars in its JSON metadata. Restoring it
// continues the identical trajectory.
import { z } from "zod";
import { type ModelConfig, type Params, paramShapes } from "../model/config";
import { decodeWeights, encodeWeights, type TensorEntry } from "../io/weights";
import type { AdamW } from "../optim/adamw";
import type { RngState } from "../util/rng";

const metadataSchema = z.object({
  format: z.literal("urlvr-checkpoint"),
  version: z.literal(1),
  step: z.number().int().min(0),
  cursor: z.number().int().min(0),
  optimizerStep: z.number().int().min(0),
  rng: z.object({ a: z.number(), b: z.number(), c: z.number(), d: z.number() }),
  /** The run's config as JSON, so a resume with a different config is refused. */
  configKey: z.string(),
});

export type CheckpointMeta = z.infer<typeof metadataSchema>;

export interface TrainingState {
  step: number;
  cursor: number;
  rng: RngState;
  params: Params;
  optimizer: AdamW;
}

export function encodeCheckpoint(model: ModelConfig, state: TrainingState, configKey: string): Uint8Array {
  const shapes = new Map(paramShapes(model));
  const entries: TensorEntry[] = [];
  for (const [name, data] of state.params) entries.push({ name, shape: shapes.get(name)!, data });
  for (const [name, data] of state.optimizer.stateTensors()) entries.push({ name, shape: [data.length], data });
  const meta: CheckpointMeta = {
    format: "urlvr-checkpoint",
    version: 1,
    step: state.step,
    cursor: state.cursor,
    optimizerStep: state.optimizer.step,
    rng: state.rng,
    configKey,
  };
  return encodeWeights(entries, meta);
}

export function decodeCheckpoint(bytes: Uint8Array): { meta: CheckpointMeta; params: Params; optimizerTensors: Params } {
  const content = decodeWeights(bytes, "checkpoint");
  const meta = metadataSchema.safeParse(content.metadata);
  if (!meta.success) throw new Error(`not a training checkpoint: ${meta.error.issues[0]?.message}`);
  const params: Params = new Map();
  const optimizerTensors: Params = new Map();
  for (const t of content.tensors) (t.name.startsWith("adam.") ? optimizerTensors : params).set(t.name, t.data);
  return { meta: meta.data, params, optimizerTensors };
}
