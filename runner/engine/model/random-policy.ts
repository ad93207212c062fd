// Random weights and token rows for the model's tests, from a seeded source (onnx/gradcheck.ts
// testRandom), so a failing test's seed reproduces it.
import { BOS, type ModelConfig, type Params, numel, paramShapes } from "./config";

interface Random {
  next(): number;
  normal(): number;
}

/** Weights well above init scale (gains around 1), so logits differ visibly between positions. */
export function randomWeights(c: ModelConfig, rnd: Random): Params {
  const p: Params = new Map();
  for (const [n, d] of paramShapes(c)) p.set(n, Float32Array.from({ length: numel(d) }, () => (n.endsWith(".g") ? 1 : 0) + 0.3 * rnd.normal()));
  return p;
}

/** BOS and len - 1 random ordinary tokens (never PAD, BOS or EOS). */
export function randomRow(c: ModelConfig, rnd: Random, len: number): number[] {
  return [BOS, ...Array.from({ length: len - 1 }, () => 3 + Math.floor(rnd.next() * (c.vocabSize - 3)))];
}
