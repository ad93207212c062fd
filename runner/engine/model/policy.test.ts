// The Policy end to end on small random models: parameter layout and init, KV-cache decoding vs
// the full forward, scorer values and PAD handling, the host-side alignment of grpoStep/ceStep,
// gradient clipping, and sampling rules. Random data is drawn fresh each run (seed printed).

import { afterAll, describe, expect, it } from "vitest";
import { Rng } from "../util/rng";
import { BOS, EOS, type ModelConfig, PAD, type Params, paramCount, paramShapes } from "./config";
import { initParams } from "./init";
import { type Policy, createPolicySession } from "./policy";
import { TEST_MODEL, randomRow, randomWeights, testSource } from "./random-policy";

const { seed, rnd, label: S } = testSource();
const cfg = TEST_MODEL;

const bigParams = (c: ModelConfig) => randomWeights(c, rnd);
const randomPrompt = (len: number) => randomRow(cfg, rnd, len);

function logSoftmax(row: ArrayLike<number>, off: number, V: number): number[] {
  let m = -Infinity;
  for (let v = 0; v < V; v++) m = Math.max(m, row[off + v]);
  let s = 0;
  for (let v = 0; v < V; v++) s += Math.exp(row[off + v] - m);
  return Array.from({ length: V }, (_, v) => row[off + v] - m - Math.log(s));
}

/** log softmax(logits / temperature) over the tokens the sampler can draw (PAD and BOS get -Infinity). */
function supportLogSoftmax(row: ArrayLike<number>, off: number, V: number, temperature: number): number[] {
  const z = Array.from({ length: V }, (_, v) => (v === PAD || v === BOS ? -Infinity : row[off + v] / temperature));
  const m = Math.max(...z);
  const s = z.reduce((a, x) => a + Math.exp(x - m), 0);
  return z.map((x) => x - m - Math.log(s));
}

const policies: Policy[] = [];
async function policy(dtype: "float32" | "float64" = "float32", kvCache: "host" | "device" = "host") {
  const p = await createPolicySession(cfg, { device: "cpu", dtype, threads: 2, kvCache });
  policies.push(p);
  return p;
}
afterAll(async () => {
  for (const p of policies) await p.release();
});

describe(`model parameters ${S}`, () => {
  it("paramShapes follows the canonical order and initParams the GPT-2 scheme", () => {
    const names = paramShapes(cfg).map(([n]) => n);
    expect(names.slice(0, 3)).toEqual(["wte", "wpe", "h0.ln1.g"]);
    expect(names.slice(-3)).toEqual(["lnf.g", "lnf.b", "head"]);
    expect(names.filter((n) => n.startsWith("h1.")).length).toBe(12);
    const big: ModelConfig = { vocabSize: 40, context: 64, width: 64, depth: 4, heads: 4 };
    const p = initParams(big, new Rng(seed, "init"));
    expect([...p.keys()]).toEqual(paramShapes(big).map(([n]) => n));
    expect([...p.values()].reduce((s, a) => s + a.length, 0)).toBe(paramCount(big));
    const std = (a: Float32Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
    expect(std(p.get("h0.mlp.wfc")!)).toBeGreaterThan(0.019);
    expect(std(p.get("h0.mlp.wfc")!)).toBeLessThan(0.021);
    expect(std(p.get("h3.attn.wo")!)).toBeCloseTo(0.02 / Math.sqrt(8), 3);
    expect(p.get("h2.ln2.g")!.every((v) => v === 1)).toBe(true);
    expect(p.get("h2.mlp.bfc")!.every((v) => v === 0)).toBe(true);
    expect(initParams(big, new Rng(seed, "init")).get("head")).toEqual(p.get("head"));
  });
});

describe("devices", () => {
  it("device webgpu reaches onnxruntime's WebGPU provider (which needs a GPU adapter)", async () => {
    const pol = await createPolicySession(cfg, { device: "webgpu" });
    policies.push(pol);
    const err = await pol.session("scorer").then(() => null, (e: unknown) => String(e));
    // On a machine without a GPU the provider itself refuses; with one the session is created.
    if (err !== null) expect(err).toMatch(/webgpu/i);
    expect(pol.options.device).toBe("webgpu");
    expect((await createPolicySession(cfg)).options.device ?? "cpu").toBe("cpu");
  });
});

describe(`KV-cache sampler ${S}`, () => {
  for (const [dtype, tol, kvCache] of [["float64", 1e-9, "host"], ["float32", 2e-4, "host"], ["float64", 1e-9, "device"], ["float32", 2e-4, "device"]] as const) {
    it(`gives the full forward's logits at every step (${dtype}, KV cache on the ${kvCache})`, async () => {
      const pol = await policy(dtype, kvCache);
      const params = bigParams(cfg);
      const head = params.get("head")!; // (C, V): a zero EOS column keeps EOS rare, so rows run long
      for (let c = 0; c < cfg.width; c++) head[c * cfg.vocabSize + EOS] = 0;
      // The three long prompts hit the context limit early, so finished rows get compacted away.
      const lens = [1, 5, 3, 8, 2, 4, 16, 14, 12];
      const prompts = lens.map(randomPrompt);
      const trace = { logits: [] as Array<Float32Array | Float64Array> };
      const { tokens } = await pol.sample(params, prompts, { temperature: 1, topP: 1, maxNewTokens: 20, rng: new Rng(seed, "s") }, trace);
      expect(tokens[6].length, S).toBeLessThanOrEqual(cfg.context - 16);
      const full = prompts.map((p, b) => [...p, ...tokens[b]]);
      const ref = await pol.logits(params, full);
      const T = Math.max(...full.map((f) => f.length)), V = cfg.vocabSize;
      let worst = 0, compared = 0;
      prompts.forEach((p, b) => {
        for (let s = 0; s < tokens[b].length; s++) {
          for (let v = 0; v < V; v++) {
            const a = trace.logits[s][b * V + v], r = ref[(b * T + p.length - 1 + s) * V + v];
            worst = Math.max(worst, Math.abs(a - r) / Math.max(1, Math.abs(r)));
            compared++;
          }
        }
      });
      expect(compared, S).toBeGreaterThan(V * 12);
      expect(worst, `largest difference ${worst} ${S}`).toBeLessThan(tol);
    });
  }

  it("draws the same tokens with the KV cache on the host or on the device", async () => {
    const params = bigParams(cfg);
    const prompts = [3, 6, 2, 4, 9, 1].map(randomPrompt);
    const opts = { temperature: 1, topP: 0.9, maxNewTokens: 12, rng: new Rng(seed, "kv") };
    const host = await (await policy("float64", "host")).sample(params, prompts, opts);
    const device = await (await policy("float64", "device")).sample(params, prompts, { ...opts, rng: new Rng(seed, "kv") });
    expect(device.tokens, S).toEqual(host.tokens);
  });

  it("is seeded, stops at EOS or maxNewTokens, never emits PAD/BOS, and greedy follows the argmax", async () => {
    const pol = await policy();
    const params = bigParams(cfg);
    const prompts = [3, 6, 2, 4].map(randomPrompt);
    const opts = (s: number) => ({ temperature: 1, topP: 0.9, maxNewTokens: 10, rng: new Rng(s, "sample") });
    const a = await pol.sample(params, prompts, opts(1));
    expect((await pol.sample(params, prompts, opts(1))).tokens).toEqual(a.tokens);
    for (const r of a.tokens) {
      expect(r.length).toBeGreaterThan(0);
      expect(r.length).toBeLessThanOrEqual(10);
      expect(r.some((t) => t === PAD || t === BOS)).toBe(false);
      expect(r.indexOf(EOS) === -1 || r.indexOf(EOS) === r.length - 1).toBe(true);
      if (r.length < 10) expect(r[r.length - 1]).toBe(EOS);
    }
    const g = await pol.sample(params, prompts, { temperature: 0, topP: 1, maxNewTokens: 6, rng: new Rng(2) });
    const full = prompts.map((p, b) => [...p, ...g.tokens[b]]);
    const ref = await pol.logits(params, full);
    const T = Math.max(...full.map((f) => f.length)), V = cfg.vocabSize;
    prompts.forEach((p, b) => {
      g.tokens[b].forEach((tok, s) => {
        const off = (b * T + p.length - 1 + s) * V;
        let best = 3;
        for (let v = 2; v < V; v++) if (ref[off + v] > ref[off + best]) best = v;
        expect(tok).toBe(best);
      });
    });
  });

  it("stops a row at the context limit", async () => {
    const pol = await policy();
    const { tokens } = await pol.sample(bigParams(cfg), [randomPrompt(cfg.context - 3), randomPrompt(2)], { temperature: 1, topP: 1, maxNewTokens: 50, rng: new Rng(seed) });
    expect(tokens[0].length).toBeLessThanOrEqual(3);
    expect(cfg.context - 3 + tokens[0].length).toBeLessThanOrEqual(cfg.context);
  });
});

describe(`scorer and train steps ${S}`, () => {
  it("score is softmax(logits / temperature) over the sampler's support, and padding does not change a row", async () => {
    const pol = await policy("float64");
    const params = bigParams(cfg);
    const seqs = [randomPrompt(9), randomPrompt(4), randomPrompt(14)];
    const starts = [3, 1, 6];
    const ref = await pol.logits(params, seqs);
    const T = 14, V = cfg.vocabSize;
    for (const temperature of [1, 0.6]) {
      const sc = await pol.score(params, seqs, starts, temperature);
      seqs.forEach((seq, b) => {
        expect(sc[b].logprob.length).toBe(seq.length - starts[b]);
        for (let t = starts[b]; t < seq.length; t++) {
          const lsm = supportLogSoftmax(ref, (b * T + t - 1) * V, V, temperature);
          const inside = lsm.filter((_, v) => v !== PAD && v !== BOS);
          const j = t - starts[b];
          expect(sc[b].logprob[j]).toBeCloseTo(lsm[seq[t]], 5);
          expect(sc[b].entropy[j]).toBeCloseTo(-inside.reduce((s, l) => s + Math.exp(l) * l, 0), 5);
          expect(sc[b].selfCertainty[j]).toBeCloseTo(-Math.log(V - 2) - inside.reduce((s, l) => s + l, 0) / (V - 2), 5);
        }
      });
      const alone = await pol.score(params, [seqs[1]], [starts[1]], temperature);
      for (let j = 0; j < alone[0].logprob.length; j++) expect(alone[0].logprob[j]).toBeCloseTo(sc[1].logprob[j], 5);
    }
  });

  it("the sampler's log-prob of each drawn token is the scorer's at the same temperature (0.6, top-p 0.95)", async () => {
    const pol = await policy("float64");
    const params = bigParams(cfg);
    const prompts = [3, 6, 2, 4, 9].map(randomPrompt);
    const drawn = await pol.sample(params, prompts, { temperature: 0.6, topP: 0.95, maxNewTokens: 10, rng: new Rng(seed, "onpolicy") });
    const seqs = prompts.map((p, b) => [...p, ...drawn.tokens[b]]);
    const scored = await pol.score(params, seqs, prompts.map((p) => p.length), 0.6);
    // An independent reference: the full forward's logits, divided and normalized here.
    const ref = await pol.logits(params, seqs);
    const T = Math.max(...seqs.map((s) => s.length)), V = cfg.vocabSize;
    let compared = 0;
    prompts.forEach((p, b) => {
      drawn.tokens[b].forEach((tok, j) => {
        const lsm = supportLogSoftmax(ref, (b * T + p.length - 1 + j) * V, V, 0.6);
        expect(drawn.scores[b].logprob[j], S).toBeCloseTo(lsm[tok], 5);
        expect(drawn.scores[b].logprob[j], S).toBeCloseTo(scored[b].logprob[j], 5);
        expect(drawn.scores[b].entropy[j], S).toBeCloseTo(scored[b].entropy[j], 5);
        expect(drawn.scores[b].selfCertainty[j], S).toBeCloseTo(scored[b].selfCertainty[j], 5);
        compared++;
      });
    });
    expect(compared).toBeGreaterThan(10);
  });

  it("grpoStep at old = ref = current policy gives loss = -token-mean advantage, no KL, no clipping", async () => {
    const pol = await policy();
    const params = bigParams(cfg);
    const lens = [6, 10, 12, 7];
    const starts = [3, 4, 2, 5];
    const tokens = lens.map(randomPrompt);
    const sc = await pol.score(params, tokens, starts);
    const align = (vals: Float32Array[]) => tokens.map((r, b) => {
      const a = new Float32Array(r.length);
      a.set(vals[b], starts[b]);
      return a;
    });
    const responseMask = tokens.map((r, b) => Float32Array.from(r, (_, t) => (t >= starts[b] ? 1 : 0)));
    const advantages = [1, -0.5, 0.25, 2];
    const oldLp = align(sc.map((s) => s.logprob));
    const batch = { tokens, responseMask, oldLogprobs: oldLp, refLogprobs: oldLp, advantages };
    const r = await pol.grpoStep(params, batch, { clipEps: 0.2, klCoef: 0.1, maxGradNorm: 1e9, temperature: 1 });
    const n = lens.reduce((s, l, b) => s + l - starts[b], 0);
    const expected = -lens.reduce((s, l, b) => s + advantages[b] * (l - starts[b]), 0) / n;
    expect(r.loss).toBeCloseTo(expected, 4);
    expect(r.pgLoss).toBeCloseTo(expected, 4);
    expect(Math.abs(r.kl)).toBeLessThan(1e-5);
    expect(r.clipFrac).toBe(0);
    const ent = sc.reduce((s, x) => s + x.entropy.reduce((p, q) => p + q, 0), 0) / n;
    expect(r.entropy).toBeCloseTo(ent, 4);
    expect(r.gradNorm).toBeGreaterThan(0);
    const norm = (g: Params) => Math.sqrt([...g.values()].reduce((s, a) => s + a.reduce((p, v) => p + v * v, 0), 0));
    expect(norm(r.grads) / r.gradNorm).toBeCloseTo(1, 4);
    expect([...r.grads.keys()]).toEqual(paramShapes(cfg).map(([k]) => k));
    // Clipping: the returned gradients have the requested norm, the reported norm is pre-clip.
    const c = await pol.grpoStep(params, batch, { clipEps: 0.2, klCoef: 0.1, maxGradNorm: 0.01, temperature: 1 });
    expect(c.gradNorm).toBeCloseTo(r.gradNorm, 4);
    expect(norm(c.grads)).toBeCloseTo(0.01, 5);
    // Tokens whose ratio leaves [1-eps, 1+eps] against an advantage's sign are clipped.
    const shifted = { ...batch, oldLogprobs: oldLp.map((a) => a.map((v) => v + 0.5)) };
    expect((await pol.grpoStep(params, shifted, { clipEps: 0.2, klCoef: 0.1, maxGradNorm: 1e9, temperature: 1 })).clipFrac).toBeGreaterThan(0);
  });

  it("ceStep's loss is the masked mean of -logprob and a few SGD steps lower it", async () => {
    const pol = await policy();
    const params = bigParams(cfg);
    const tokens = [randomPrompt(10), randomPrompt(7)];
    const mask = tokens.map((r) => Float32Array.from(r, (_, t) => (t >= 2 ? 1 : 0)));
    // Pretraining's cross-entropy is over the whole vocabulary (the sampler's support is RL's).
    const ref = await pol.logits(params, tokens);
    const T = 10, V = cfg.vocabSize;
    const all = tokens.flatMap((r, b) => r.slice(2).map((tok, j) => logSoftmax(ref, (b * T + 1 + j) * V, V)[tok]));
    const r0 = await pol.ceStep(params, tokens, mask);
    expect(r0.loss).toBeCloseTo(-all.reduce((a, b) => a + b, 0) / all.length, 4);
    for (let i = 0; i < 10; i++) {
      const r = await pol.ceStep(params, tokens, mask, { maxGradNorm: 1 });
      for (const [k, g] of r.grads) {
        const w = params.get(k)!;
        for (let j = 0; j < w.length; j++) w[j] -= 0.1 * g[j];
      }
    }
    expect((await pol.ceStep(params, tokens, mask)).loss, S).toBeLessThan(r0.loss - 0.05);
  });
});
