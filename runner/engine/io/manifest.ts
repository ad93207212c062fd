/**
 * A model directory: `weights.bin` (see weights.ts) beside `manifest.json`, which records what the
 * weights are (architecture, tokenizer alphabet, parameter count), how to check them (sha256 of
 * weights.bin) and where they came from (the command and seed that made them, creation time).
 * Readers verify all of it before a run starts, so a corrupted or mismatched model fails loudly.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { type ModelConfig, type Params, paramCount, paramShapes } from "../model/config";
import { ALPHABET, VOCAB_SIZE } from "../tasks/tokenizer";
import { type TensorEntry, WeightsFormatError, readWeightsFile, writeWeightsFile } from "./weights";

export const MANIFEST_FILE = "manifest.json";
export const WEIGHTS_FILE = "weights.bin";

const positiveInt = z.number().int().positive();

export const manifestSchema = z.object({
  format: z.literal("urlvr-model"),
  version: z.literal(1),
  architecture: z.object({
    vocabSize: positiveInt,
    context: positiveInt,
    width: positiveInt,
    depth: positiveInt,
    heads: positiveInt,
  }),
  tokenizer: z.object({
    alphabet: z.string().min(1),
    vocabSize: positiveInt,
    pad: z.literal(0),
    bos: z.literal(1),
    eos: z.literal(2),
  }),
  weights: z.object({
    file: z.string().min(1),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    bytes: positiveInt,
  }),
  parameterCount: positiveInt,
  provenance: z.object({
    /** The exact command line that produced the weights. */
    command: z.string().min(1),
    seed: z.number().int(),
    /** ISO-8601 UTC. */
    createdAt: z.string().min(1),
    /** Anything else worth keeping (task, steps, corruption mix, parent model, final loss...). */
    details: z.record(z.string(), z.unknown()).optional(),
  }),
  /** How the dashboard presents the model: its family (e.g. "arith-gpt") and a one-line description. */
  card: z.object({ family: z.string().min(1), description: z.string() }).optional(),
  /** Static evaluation on the validation split (greedy accuracy, pass@k, maj@k, confidence AUROC). */
  evaluation: z.record(z.string(), z.unknown()).optional(),
});

export type ModelManifest = z.infer<typeof manifestSchema>;
export type Provenance = ModelManifest["provenance"];

export class ModelFileError extends Error {
  constructor(dir: string, message: string) {
    super(`model ${dir}: ${message}`);
    this.name = "ModelFileError";
  }
}

/** Tensors in canonical order, each checked against the config's shape. */
export function paramsToEntries(config: ModelConfig, params: Params): TensorEntry[] {
  const shapes = paramShapes(config);
  if (params.size !== shapes.length) throw new Error(`expected ${shapes.length} parameters, got ${params.size}`);
  return shapes.map(([name, shape]) => {
    const data = params.get(name);
    if (!data) throw new Error(`parameter ${name} is missing`);
    const n = shape.reduce((a, b) => a * b, 1);
    if (data.length !== n) throw new Error(`parameter ${name} has ${data.length} values, shape [${shape}] needs ${n}`);
    return { name, shape, data };
  });
}

/** Params in canonical order from decoded tensors; names, order and shapes must match the config. */
export function entriesToParams(config: ModelConfig, tensors: readonly TensorEntry[]): Params {
  const shapes = paramShapes(config);
  if (tensors.length !== shapes.length) {
    throw new Error(`weights hold ${tensors.length} tensors, the architecture has ${shapes.length} parameters`);
  }
  const params: Params = new Map();
  shapes.forEach(([name, shape], i) => {
    const t = tensors[i];
    if (t.name !== name) throw new Error(`tensor ${i} is ${t.name}, expected ${name}`);
    if (t.shape.length !== shape.length || t.shape.some((d, k) => d !== shape[k])) {
      throw new Error(`tensor ${name} has shape [${t.shape}], expected [${shape}]`);
    }
    params.set(name, t.data);
  });
  return params;
}

function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, path);
}

/** Writes weights.bin and then manifest.json into dir (created if missing); returns the manifest. */
export function writeModelDir(
  dir: string,
  model: {
    config: ModelConfig;
    params: Params;
    provenance: Omit<Provenance, "createdAt"> & { createdAt?: string };
    card?: ModelManifest["card"];
    evaluation?: ModelManifest["evaluation"];
  },
): ModelManifest {
  if (model.config.vocabSize !== VOCAB_SIZE) {
    throw new Error(`config vocabSize ${model.config.vocabSize} differs from the tokenizer's ${VOCAB_SIZE}`);
  }
  mkdirSync(dir, { recursive: true });
  const entries = paramsToEntries(model.config, model.params);
  const { bytes, sha256 } = writeWeightsFile(join(dir, WEIGHTS_FILE), entries);
  const manifest: ModelManifest = manifestSchema.parse({
    format: "urlvr-model",
    version: 1,
    architecture: { ...model.config },
    tokenizer: { alphabet: ALPHABET, vocabSize: VOCAB_SIZE, pad: 0, bos: 1, eos: 2 },
    weights: { file: WEIGHTS_FILE, sha256, bytes },
    parameterCount: paramCount(model.config),
    provenance: { ...model.provenance, createdAt: model.provenance.createdAt ?? new Date().toISOString() },
    card: model.card,
    evaluation: model.evaluation,
  });
  writeJsonAtomic(join(dir, MANIFEST_FILE), manifest);
  return manifest;
}

/** Parses and validates manifest.json of dir (no weights read). */
export function readManifest(dir: string): ModelManifest {
  const path = join(dir, MANIFEST_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new ModelFileError(dir, `cannot read ${MANIFEST_FILE} (${e instanceof Error ? e.message : String(e)})`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new ModelFileError(dir, `invalid ${MANIFEST_FILE}: ${problems}`);
  }
  const m = parsed.data;
  if (m.tokenizer.alphabet !== ALPHABET || m.tokenizer.vocabSize !== VOCAB_SIZE) {
    throw new ModelFileError(dir, "was made with a different tokenizer alphabet than this engine's");
  }
  if (m.architecture.vocabSize !== m.tokenizer.vocabSize) {
    throw new ModelFileError(dir, `architecture vocabSize ${m.architecture.vocabSize} differs from the tokenizer's ${m.tokenizer.vocabSize}`);
  }
  if (m.parameterCount !== paramCount(m.architecture)) {
    throw new ModelFileError(dir, `parameterCount ${m.parameterCount} does not match the architecture (${paramCount(m.architecture)})`);
  }
  return m;
}

/**
 * Replaces manifest.json's `evaluation`, keeping every other field as written, atomically. Refuses
 * when the weights' checksum is no longer `sha256` (the folder was rewritten meanwhile), so an
 * evaluation never lands beside weights it did not measure.
 */
export function rewriteEvaluation(dir: string, evaluation: NonNullable<ModelManifest["evaluation"]>, o: { sha256: string }): ModelManifest {
  const current = readManifest(dir);
  if (current.weights.sha256 !== o.sha256) {
    throw new ModelFileError(dir, `weights changed while being evaluated (sha256 ${current.weights.sha256.slice(0, 12)}, evaluated ${o.sha256.slice(0, 12)})`);
  }
  const path = join(dir, MANIFEST_FILE);
  // The raw JSON, not the parsed manifest: parsing drops fields this engine does not know.
  const raw = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  const next = { ...raw, evaluation };
  const manifest = manifestSchema.parse(next);
  writeJsonAtomic(path, next);
  return manifest;
}

/** Reads a model dir, verifying the manifest, the weights' checksum and every tensor's shape. */
export function readModelDir(dir: string): { manifest: ModelManifest; config: ModelConfig; params: Params } {
  const manifest = readManifest(dir);
  let content;
  try {
    content = readWeightsFile(join(dir, manifest.weights.file), { sha256: manifest.weights.sha256 });
  } catch (e) {
    if (e instanceof WeightsFormatError) throw new ModelFileError(dir, e.message);
    throw e;
  }
  const config: ModelConfig = { ...manifest.architecture };
  try {
    return { manifest, config, params: entriesToParams(config, content.tensors) };
  } catch (e) {
    throw new ModelFileError(dir, e instanceof Error ? e.message : String(e));
  }
}
