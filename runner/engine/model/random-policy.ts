// What the model's tests share: one small model, one seed rule, and random weights and token rows
// from a seeded source (onnx/gradcheck.ts testRandom), so a failing test's seed reproduces it.
import { testRandom } from "../onnx/gradcheck";
import { BOS, type ModelConfig, type Params, numel, paramShapes } from "./config";

interface Random {
  next(): number;
  normal(): number;
}

/** The small model the policy tests share. */
export const TEST_MODEL: ModelConfig = { vocabSize: 11, context: 24, width: 16, depth: 2, heads: 4 };

/**
 * A test file's random source and its seed (for the engine's own Rng too): TEST_SEED when set, to
 * rerun a failure, else the clock; `label` ("(seed N)") goes into failure messages.
 */
export function testSource(): { seed: number; rnd: Random; label: string } {
  const seed = Number(process.env.TEST_SEED ?? Date.now() % 2 ** 31);
  return { seed, rnd: testRandom(seed), label: `(seed ${seed})` };
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
