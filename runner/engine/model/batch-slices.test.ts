// Micro-batched updates against one graph call over the whole batch: the cut itself, and the same
// loss, statistics, norm and clipped gradient from real Policies on a small random model (float64
// graphs, where the two differ by the float32 rounding of the returned gradients, and float32 as
// training runs). Random data is drawn fresh each run (seed printed).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { microBatches, slices } from "./batch-slices";
import type { ModelConfig } from "./config";
import type { GrpoBatch } from "./grpo-update";
import { type Policy, createPolicySession } from "./policy";
import { TEST_MODEL, randomRow, randomWeights, testSource } from "./random-policy";

const { rnd, label: S } = testSource();
const cfg = TEST_MODEL;

const params = () => randomWeights(cfg, rnd);
const row = (len: number) => randomRow(cfg, rnd, len);

/** Seven rows of mixed lengths; row 2 has no response token (its slice weighs nothing). */
function batch(): GrpoBatch {
  const lens = [6, 10, 5, 12, 7, 9, 11];
  const starts = [3, 4, 5, 2, 5, 3, 6];
  const tokens = lens.map(row);
  const noise = (r: number[]) => Float32Array.from(r, () => -2 + 0.5 * rnd.normal());
  return {
    tokens,
    responseMask: tokens.map((r, b) => Float32Array.from(r, (_, t) => (t >= starts[b]! ? 1 : 0))),
    oldLogprobs: tokens.map(noise),
    refLogprobs: tokens.map(noise),
    advantages: lens.map(() => rnd.normal()),
  };
}

const pols: Record<string, Policy> = {};
beforeAll(async () => {
  for (const dtype of ["float32", "float64"] as const) {
    pols[`${dtype} whole`] = await createPolicySession(cfg, { dtype, threads: 1, microBatchTokens: Infinity });
    // 7 rows x 12 tokens = 84 padded tokens: 30 per micro-batch cuts them into 3 slices.
    pols[`${dtype} sliced`] = await createPolicySession(cfg, { dtype, threads: 1, microBatchTokens: 30 });
  }
}, 60_000);
afterAll(async () => {
  for (const p of Object.values(pols)) await p.release();
});

describe(`micro-batched GRPO updates ${S}`, () => {
  it("cuts rows into the fewest equal slices within the token budget", () => {
    expect(microBatches([4, 12, 7], Infinity)).toEqual([[0, 3]]);
    expect(microBatches([4, 12, 7], 36)).toEqual([[0, 3]]);
    expect(microBatches([4, 12, 7], 35)).toEqual([[0, 2], [2, 3]]);
    expect(microBatches([4, 12, 7], 1)).toEqual([[0, 1], [1, 2], [2, 3]]);
    expect(microBatches([], 10)).toEqual([]);
    expect(microBatches(Array(512).fill(42), 4096)).toEqual(slices(512, 6));
  });

  for (const [dtype, tol] of [["float64", 1e-6], ["float32", 2e-4]] as const) {
    it(`${dtype}: the same update as one call over the batch, clipped on the whole batch's norm`, async () => {
      const p = params(), b = batch();
      for (const maxGradNorm of [1e9, 0.05]) {
        const o = { clipEps: 0.2, klCoef: 0.1, maxGradNorm, temperature: 0.8 };
        const whole = await pols[`${dtype} whole`]!.grpoStep(p, b, o);
        const sliced = await pols[`${dtype} sliced`]!.grpoStep(p, b, o);
        for (const k of ["loss", "pgLoss", "kl", "clipFrac", "entropy", "gradNorm"] as const) {
          expect(Math.abs(sliced[k] - whole[k]), `${k} (max norm ${maxGradNorm}) ${S}`).toBeLessThan(tol * Math.max(1, Math.abs(whole[k])));
        }
        expect(whole.clipFrac, S).toBeGreaterThan(0);
        let worst = 0, norm = 0;
        for (const [name, g] of whole.grads) {
          const h = sliced.grads.get(name)!;
          for (let j = 0; j < g.length; j++) {
            worst = Math.max(worst, Math.abs(h[j]! - g[j]!));
            norm += h[j]! * h[j]!;
          }
        }
        expect(worst, `largest gradient difference (max norm ${maxGradNorm}) ${S}`).toBeLessThan(tol * Math.max(1e-3, Math.min(whole.gradNorm, maxGradNorm)));
        if (maxGradNorm < whole.gradNorm) expect(Math.sqrt(norm), S).toBeCloseTo(maxGradNorm, 5);
      }
    });
  }
});
