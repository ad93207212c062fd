// The PolicyPool against the single Policy it splits: the same scores, the same clipped update
// (token-weighted over slices), and sampling that is each slice's own Policy run on its own forked
// stream. Random weights drawn fresh each run (seed printed).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../util/rng";
import { slices } from "./batch-slices";
import type { ModelConfig } from "./config";
import { type Policy, createPolicySession } from "./policy";
import { PolicyPool } from "./policy-pool";
import { TEST_MODEL, randomRow, randomWeights, testSource } from "./random-policy";

const { seed, rnd, label: S } = testSource();
const cfg = TEST_MODEL;

const params = () => randomWeights(cfg, rnd);
const prompt = (len: number) => randomRow(cfg, rnd, len);

let pool: PolicyPool;
let single: Policy;
beforeAll(async () => {
  pool = await PolicyPool.create(cfg, 2);
  single = await createPolicySession(cfg, { threads: 1 });
}, 60_000);
afterAll(async () => {
  await pool?.release();
  await single?.release();
});

describe(`PolicyPool ${S}`, () => {
  it("cuts a batch into contiguous slices, the first ones longer", () => {
    expect(slices(5, 2)).toEqual([[0, 3], [3, 5]]);
    expect(slices(4, 2)).toEqual([[0, 2], [2, 4]]);
    expect(slices(1, 2)).toEqual([[0, 1]]);
  });

  it("scores like the single policy", async () => {
    const p = params();
    const seqs = [9, 4, 14, 6, 11].map(prompt);
    const starts = [3, 1, 6, 2, 5];
    const a = await pool.score(p, seqs, starts, 0.7);
    const b = await single.score(p, seqs, starts, 0.7);
    expect(a.length).toBe(5);
    a.forEach((s, i) => s.logprob.forEach((v, j) => expect(v, S).toBeCloseTo(b[i]!.logprob[j]!, 5)));
  });

  it("takes the single policy's clipped update: token-weighted over slices, clipped on the whole batch's norm", async () => {
    const p = params();
    const lens = [6, 10, 12, 7, 9];
    const starts = [3, 4, 2, 5, 3];
    const tokens = lens.map(prompt);
    const sc = await single.score(p, tokens, starts);
    const align = (vals: Float32Array[]) => tokens.map((r, b) => {
      const a = new Float32Array(r.length);
      a.set(vals[b]!, starts[b]);
      return a;
    });
    const old = align(sc.map((s) => s.logprob.map((v) => v + 0.1 * rnd.normal())));
    const batch = {
      tokens, responseMask: tokens.map((r, b) => Float32Array.from(r, (_, t) => (t >= starts[b]! ? 1 : 0))),
      oldLogprobs: old, refLogprobs: align(sc.map((s) => s.logprob)), advantages: [1, -0.5, 0.25, 2, -1],
    };
    for (const maxGradNorm of [1e9, 0.05]) {
      const o = { clipEps: 0.2, klCoef: 0.1, maxGradNorm, temperature: 0.8 };
      const [a, b] = [await pool.grpoStep(p, batch, o), await single.grpoStep(p, batch, o)];
      for (const k of ["loss", "pgLoss", "kl", "clipFrac", "entropy", "gradNorm"] as const) expect(a[k], `${k} ${S}`).toBeCloseTo(b[k], 5);
      for (const [name, g] of b.grads) {
        const h = a.grads.get(name)!;
        let worst = 0;
        for (let j = 0; j < g.length; j++) worst = Math.max(worst, Math.abs(h[j]! - g[j]!) / Math.max(1e-3, Math.abs(g[j]!)));
        expect(worst, `${name} (max norm ${maxGradNorm}) ${S}`).toBeLessThan(1e-3);
      }
    }
  });

  it("samples each slice on its own stream forked from the caller's: reproducible, and what each slice's policy draws", async () => {
    const p = params();
    const prompts = [3, 6, 2, 4, 9, 5, 7].map(prompt);
    const opts = (rng: Rng) => ({ temperature: 1, topP: 0.9, maxNewTokens: 8, rng });
    const a = await pool.sample(p, prompts, opts(new Rng(seed, "pool")));
    expect((await pool.sample(p, prompts, opts(new Rng(seed, "pool")))).tokens).toEqual(a.tokens);
    // The reference: the caller's stream forked per slice in slice order, each slice sampled alone.
    const caller = new Rng(seed, "pool");
    const streams = slices(prompts.length, 2).map((_, i) => caller.fork(`pool/${i}`));
    const want: number[][] = [];
    for (const [i, [lo, hi]] of slices(prompts.length, 2).entries()) want.push(...(await single.sample(p, prompts.slice(lo, hi), opts(streams[i]!))).tokens);
    expect(a.tokens, S).toEqual(want);
    expect(a.scores.map((s) => s.logprob.length)).toEqual(a.tokens.map((t) => t.length));
  });
});
