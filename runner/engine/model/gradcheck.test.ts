// The whole transformer + GRPO loss (and the CE loss) against central finite differences on
// float64 graphs, every parameter element, random weights/data drawn fresh each run
// (GRADCHECK_SEED reproduces a failure; the seed is printed in every failure message).

import { describe, expect, it } from "vitest";
import { type CheckInput, formatReports, gradCheck, testRandom } from "../onnx/gradcheck";
import type { Tensor } from "../onnx/graph";
import { EOS, type ModelConfig, PAD, numel, paramShapes } from "./config";
import { createSession, fromOrt, ort, toOrt } from "../onnx/session";
import { buildScorerGraph, ceLoss, grpoLoss } from "./graphs";

const seed = Number(process.env.GRADCHECK_SEED ?? (Date.now() % 2 ** 31));
const rnd = testRandom(seed);
const cfg: ModelConfig = { vocabSize: 7, context: 8, width: 8, depth: 2, heads: 2 };
const B = 3, T = 6;

function data() {
  // Larger-than-init weights so every path carries a visible gradient.
  const params: CheckInput[] = paramShapes(cfg).map(([name, dims]) => ({
    name,
    dims,
    data: Array.from({ length: numel(dims) }, () => (name.endsWith(".g") ? 1 + 0.3 * rnd.normal() : 0.3 * rnd.normal())),
  }));
  const lens = [T, T - 2, T - 3]; // right padding on two rows
  const tokens: number[] = [], targets: number[] = [], mask: number[] = [];
  for (let b = 0; b < B; b++) {
    const row = Array.from({ length: T }, (_, t) => (t === 0 ? 1 : t < lens[b] ? 2 + Math.floor(rnd.next() * (cfg.vocabSize - 2)) : PAD));
    tokens.push(...row);
    for (let t = 0; t < T; t++) {
      // Positions with no next token get EOS, as Policy.padded gives them (never a PAD: outside the
      // sampler's support its log-prob is -1e9, and the masked KL term would be inf * 0).
      targets.push(t + 1 < lens[b] ? row[t + 1] : EOS);
      mask.push(t + 1 < lens[b] && t >= 1 ? 1 : 0);
    }
  }
  const ints = (name: string, d: number[]): CheckInput => ({ name, dims: [B, T], shape: ["B", "T"], data: d, dtype: "int64" });
  const fixed = (name: string, d: number[], dims: number[] = [B, T]): CheckInput => ({ name, dims, shape: dims.length === 2 ? ["B", "T"] : dims.length === 1 ? ["B"] : [], data: d, check: false });
  return { params, tokens: ints("tokens", tokens), targets: ints("targets", targets), mask: fixed("mask", mask), fixed };
}

const asMap = (ts: Tensor[]) => new Map(paramShapes(cfg).map(([n], i) => [n, ts[i]]));

describe(`transformer gradients vs central differences (seed ${seed})`, () => {
  it("GRPO loss (clipped ratio, k3 KL, token-mean) w.r.t. every parameter", async () => {
    const d = data();
    const n = B * T;
    // The loss has kinks where a ratio meets 1 +- clipEps. Pick old log-probs so every ratio sits
    // at least 0.1 from a bound (the stencil moves log-probs by far less), inside and outside.
    const scorer = await createSession(buildScorerGraph(cfg, "float64").toModelBytes(), { threads: 1 });
    const feeds: Record<string, ort.Tensor> = {};
    for (const i of [...d.params, d.tokens, d.targets]) feeds[i.name] = toOrt(i.dtype ?? "float64", i.data, i.dims);
    feeds.temperature = toOrt("float64", [0.7], []);
    const logp = fromOrt((await scorer.run(feeds)).logprob);
    await scorer.release();
    const ratios = [0.5, 0.7, 0.9, 1, 1.1, 1.3, 2];
    const oldLp = Array.from(logp, (l) => l - Math.log(ratios[Math.floor(rnd.next() * ratios.length)]));
    const ins = [
      ...d.params, d.tokens, d.targets, d.mask,
      d.fixed("oldLogprobs", oldLp),
      d.fixed("refLogprobs", Array.from(logp, (l) => l + 0.5 * rnd.normal())),
      d.fixed("advantages", Array.from({ length: B }, () => rnd.normal()), [B]),
      d.fixed("clipEps", [0.2], []),
      d.fixed("klCoef", [0.3], []),
      d.fixed("temperature", [0.7], []), // the sampler's temperature: below 1 sharpens every softmax
    ];
    const np = d.params.length;
    const reports = await gradCheck((g, t) => {
      const [tokens, targets, mask, oldLp, refLp, adv, clipEps, klCoef, temperature] = t.slice(np);
      return grpoLoss(g, cfg, asMap(t.slice(0, np)), { tokens, targets, mask, oldLp, refLp, adv, clipEps, klCoef, temperature }).loss;
    }, ins);
    const worst = Math.max(...reports.map((r) => r.maxRelErr));
    const msg = `GRPO gradcheck (seed ${seed}), worst rel err ${worst.toExponential(2)}\n${formatReports(reports)}`;
    console.log(msg.split("\n")[0]);
    expect(worst, msg).toBeLessThan(1e-6);
    expect(reports.length).toBe(paramShapes(cfg).length);
    // Every parameter must actually receive gradient (wpe rows past T excepted).
    for (const r of reports) expect(r.worst.numeric !== 0 || r.name === "wpe", `${r.name} got no gradient\n${msg}`).toBe(true);
  });

  it("CE loss w.r.t. every parameter", async () => {
    const d = data();
    const np = d.params.length;
    const reports = await gradCheck((g, t) => {
      const [tokens, targets, mask] = t.slice(np);
      return ceLoss(g, cfg, asMap(t.slice(0, np)), tokens, targets, mask);
    }, [...d.params, d.tokens, d.targets, d.mask]);
    const worst = Math.max(...reports.map((r) => r.maxRelErr));
    const msg = `CE gradcheck (seed ${seed}), worst rel err ${worst.toExponential(2)}\n${formatReports(reports)}`;
    console.log(msg.split("\n")[0]);
    expect(worst, msg).toBeLessThan(1e-6);
  });
});
