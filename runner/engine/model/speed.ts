// Throughput probe (not a test): sampling and train steps for the GRPO shape the loop uses,
// 64 prompts x 8 rollouts, ~24 new tokens, width 64, 4 heads, context 64.
// Run: npx tsx runner/engine/model/speed.ts [depth=2] [threads]

import { Rng } from "../util/rng";
import { BOS, EOS, type ModelConfig } from "./config";
import { initParams } from "./init";
import { createPolicySession } from "./policy";

const depth = Number(process.argv[2] ?? 2);
const threads = process.argv[3] ? Number(process.argv[3]) : undefined;
const cfg: ModelConfig = { vocabSize: 20, context: 64, width: 64, depth, heads: 4 };
const rng = new Rng(1, "speed");
const params = initParams(cfg, rng);
const pol = await createPolicySession(cfg, { threads });
const prompts: number[][] = [];
for (let i = 0; i < 64; i++) {
  const p = [BOS, ...Array.from({ length: 8 + rng.int(12) }, () => 3 + rng.int(cfg.vocabSize - 3))];
  for (let r = 0; r < 8; r++) prompts.push(p);
}
const time = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
  const t0 = performance.now();
  const r = await f();
  return [r, (performance.now() - t0) / 1000];
};

let t0 = performance.now();
await Promise.all(["prefill", "decode", "scorer", "grpo", "ce"].map((k) => pol.session(k as "grpo")));
console.log(`sessions built in ${((performance.now() - t0) / 1000).toFixed(2)} s (depth ${depth})`);

for (let rep = 0; rep < 3; rep++) {
  const [{ tokens }, s] = await time(() => pol.sample(params, prompts, { temperature: 1, topP: 1, maxNewTokens: 24, rng }));
  const n = tokens.reduce((a, r) => a + r.length, 0);
  const steps = Math.max(...tokens.map((r) => r.length));
  console.log(`sample: ${n} new tokens (${steps} steps x ${prompts.length} rows) in ${s.toFixed(3)} s = ${(n / s).toFixed(0)} new tok/s, ${((steps * prompts.length) / s).toFixed(0)} row-steps/s`);
}
const seqs = prompts.map((p) => [...p, ...Array.from({ length: 23 }, () => 3 + rng.int(cfg.vocabSize - 3)), EOS]);
const starts = prompts.map((p) => p.length);
const ntok = seqs.reduce((a, r) => a + r.length, 0);
for (let rep = 0; rep < 3; rep++) {
  const [sc, s] = await time(() => pol.score(params, seqs, starts));
  console.log(`score: ${seqs.length} x ~${(ntok / seqs.length).toFixed(0)} tokens in ${s.toFixed(3)} s = ${(ntok / s).toFixed(0)} tok/s`);
  if (rep === 2) {
    const align = seqs.map((r, b) => {
      const a = new Float32Array(r.length);
      a.set(sc[b].logprob, starts[b]);
      return a;
    });
    const batch = {
      tokens: seqs,
      responseMask: seqs.map((r, b) => Float32Array.from(r, (_, t) => (t >= starts[b] ? 1 : 0))),
      oldLogprobs: align,
      refLogprobs: align,
      advantages: seqs.map(() => rng.next() - 0.5),
    };
    for (let k = 0; k < 3; k++) {
      const [r, s2] = await time(() => pol.grpoStep(params, batch, { clipEps: 0.2, klCoef: 0.01, maxGradNorm: 1 }));
      console.log(`grpoStep: ${seqs.length} x ~${(ntok / seqs.length).toFixed(0)} tokens in ${s2.toFixed(3)} s = ${(ntok / s2).toFixed(0)} tok/s (loss ${r.loss.toFixed(4)}, gradNorm ${r.gradNorm.toFixed(4)})`);
    }
    for (let k = 0; k < 2; k++) {
      const [, s3] = await time(() => pol.ceStep(params, seqs, batch.responseMask));
      console.log(`ceStep: ${(ntok / s3).toFixed(0)} tok/s`);
    }
  }
}
await pol.release();
