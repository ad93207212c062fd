// Hand-made inputs for the study's pure-function tests: a manifest with just what the analysis reads
// (the figures under test come from real runs or from hand-computed records, never from here).
import type { ModelManifest } from "../runner/engine/io/manifest";

export function manifestFixture(
  name: string,
  o: { evaluation: Record<string, unknown>; details?: Record<string, unknown>; parameterCount?: number },
): ModelManifest {
  return {
    format: "urlvr-model",
    version: 1,
    architecture: { vocabSize: 54, context: 64, width: 64, depth: 2, heads: 4 },
    tokenizer: { alphabet: "0123456789", vocabSize: 54, pad: 0, bos: 1, eos: 2 },
    weights: { file: "weights.bin", sha256: "0".repeat(64), bytes: 1 },
    parameterCount: o.parameterCount ?? 1000,
    provenance: { command: `npm run pretrain -- --out models/${name}`, seed: 1, createdAt: "2026-01-01T00:00:00Z", details: o.details ?? {} },
    card: { family: "arith-gpt", description: name },
    evaluation: o.evaluation,
  };
}
