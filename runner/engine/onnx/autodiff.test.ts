// Every VJP rule against central finite differences on float64 graphs, random inputs drawn fresh
// each run (set GRADCHECK_SEED to reproduce a failure; the seed is in every failure message).

import { describe, expect, it } from "vitest";
import { gradients } from "./autodiff";
import { gelu } from "./composites";
import { Graph, type Shape, type Tensor } from "./graph";
import { createSession, toOrt } from "./session";
import { type CheckInput, formatReports, gradCheck, testRandom } from "./gradcheck";

const seed = Number(process.env.GRADCHECK_SEED ?? (Date.now() % 2 ** 31));
const rnd = testRandom(seed);
const TOL = 1e-6;

const randn = (dims: number[], scale = 1, offset = 0) => Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => offset + scale * rnd.normal());
const pos = (dims: number[]) => Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => 0.5 + 1.5 * rnd.next());
const x = (name: string, dims: number[], data = randn(dims), shape?: Shape): CheckInput => ({ name, dims, data, shape });

/** loss = sum(f(inputs) * w) with w a fixed random weight of the output's (concrete) shape. */
async function check(label: string, inputs: CheckInput[], outDims: number[], f: (g: Graph, t: Tensor[]) => Tensor, outShape?: Shape) {
  const all = [...inputs, { name: "w_out", dims: outDims, shape: outShape, data: randn(outDims), check: false }];
  const reports = await gradCheck((g, t) => g.sumAll(g.mul(f(g, t.slice(0, -1)), t[t.length - 1])), all);
  const worst = Math.max(...reports.map((r) => r.maxRelErr));
  const msg = `${label} (seed ${seed})\n${formatReports(reports)}`;
  console.log(`${label.padEnd(12)} worst rel err ${worst.toExponential(2)}, max abs diff ${Math.max(...reports.map((r) => r.maxAbsDiff)).toExponential(2)}`);
  expect(worst, msg).toBeLessThan(TOL);
  expect(reports.every((r) => r.checked > 0), msg).toBe(true);
}

describe(`VJP rules vs central differences (seed ${seed})`, () => {
  it("Add/Sub/Mul/Div with broadcasting", async () => {
    const ins = [x("a", [2, 3, 4]), x("b", [4]), x("c", [3, 1]), { ...x("d", [1, 3, 1]), data: pos([1, 3, 1]) }];
    await check("arith", ins, [2, 3, 4], (g, [a, b, c, d]) => g.div(g.mul(g.sub(g.add(a, b), c), g.add(a, c)), d));
  });
  it("Pow (tensor and constant exponent), Sqrt, Log, Exp, Neg, Tanh", async () => {
    const ins = [{ ...x("a", [3, 4]), data: pos([3, 4]) }, x("b", [4], randn([4], 0.5)), x("c", [3, 4])];
    await check("unary", ins, [3, 4], (g, [a, b, c]) =>
      g.add(g.add(g.pow(a, b), g.pow(a, 3)), g.add(g.mul(g.sqrt(a), g.log(a)), g.neg(g.mul(g.exp(c), g.tanh(c))))));
  });
  it("MatMul: 2-D, weight path (3-D @ 2-D), batched 4-D, broadcast batch", async () => {
    await check("mm2", [x("a", [3, 4]), x("b", [4, 5])], [3, 5], (g, [a, b]) => g.matmul(a, b));
    await check("mm3x2", [x("a", [2, 3, 4], undefined, ["B", 3, 4]), x("b", [4, 5])], [2, 3, 5], (g, [a, b]) => g.matmul(a, b), ["B", 3, 5]);
    await check("mm4", [x("a", [2, 2, 3, 4]), x("b", [2, 2, 4, 3])], [2, 2, 3, 3], (g, [a, b]) => g.matmul(a, b));
    await check("mmbc", [x("a", [2, 3, 4]), x("b", [1, 4, 2])], [2, 3, 2], (g, [a, b]) => g.matmul(a, b));
  });
  it("Gemm with bias (linear), fused LayerNormalization, GELU composite", async () => {
    await check("linear", [x("a", [5, 4], undefined, ["N", 4]), x("w", [4, 3]), x("b", [3])], [5, 3], (g, [a, w, b]) => g.linear(a, w, b), ["N", 3]);
    const lnIns = [x("a", [2, 3, 6], randn([2, 3, 6], 2, 0.5), ["B", "T", 6]), x("gain", [6], randn([6], 0.3, 1)), x("bias", [6])];
    await check("layernorm", lnIns, [2, 3, 6], (g, [a, gn, b]) => g.layerNorm(a, gn, b, 1e-5), ["B", "T", 6]);
    await check("gelu", [x("a", [3, 5], randn([15], 2))], [3, 5], (g, [a]) => gelu(g, a));
  });
  it("the GELU composite computes GPT-2's tanh GELU", async () => {
    const g = new Graph("float64");
    const a = g.input("a", "float64", [64]);
    const inner = g.mul(g.add(a, g.mul(g.pow(a, 3), 0.044715)), Math.sqrt(2 / Math.PI));
    g.output(g.reduceMax(g.clip(g.sub(gelu(g, a), g.mul(g.mul(a, 0.5), g.add(g.tanh(inner), 1))), -1, 1), [0], false), "d");
    g.output(g.reduceMax(g.neg(g.sub(gelu(g, a), g.mul(g.mul(a, 0.5), g.add(g.tanh(inner), 1)))), [0], false), "e");
    const s = await createSession(g.toModelBytes());
    const out = await s.run({ a: toOrt("float64", randn([64], 3), [64]) });
    expect(Math.max(Number(out.d.data[0]), Number(out.e.data[0])), `seed ${seed}`).toBeLessThan(1e-14);
    await s.release();
  });
  it("float32 GELU (fused FastGelu forward, recomputing backward) matches the float64 composite", async () => {
    const xs = randn([4000], 2), dys = randn([4000]);
    const run = async (f: "float32" | "float64") => {
      const g = new Graph(f);
      const a = g.input("a", f, [4000]), dy = g.input("dy", f, [4000]);
      const y = gelu(g, a);
      const [da] = gradients(g, g.sumAll(g.mul(y, dy)), [a]);
      g.output(y, "y");
      g.output(da, "da");
      if (f === "float32") expect(g.nodes.some((n) => n.op === "FastGelu")).toBe(true);
      const s = await createSession(g.toModelBytes());
      const out = await s.run({ a: toOrt(f, xs, [4000]), dy: toOrt(f, dys, [4000]) });
      await s.release();
      return [Float64Array.from(out.y.data as Float32Array), Float64Array.from(out.da.data as Float32Array)];
    };
    const [y32, d32] = await run("float32"), [y64, d64] = await run("float64");
    for (let i = 0; i < xs.length; i++) {
      expect(Math.abs(y32[i] - y64[i]), `seed ${seed}`).toBeLessThan(1e-5 * Math.max(1, Math.abs(y64[i])));
      expect(Math.abs(d32[i] - d64[i]), `seed ${seed}`).toBeLessThan(1e-5 * Math.max(1, Math.abs(d64[i])));
    }
  });
  it("ReduceSum / ReduceMean (static and symbolic dims) / ReduceMax", async () => {
    await check("rsum", [x("a", [2, 3, 4])], [2, 4], (g, [a]) => g.reduceSum(a, [1], false));
    await check("rsumk", [x("a", [2, 3, 4])], [1, 3, 1], (g, [a]) => g.reduceSum(a, [0, 2], true));
    await check("rmean", [x("a", [2, 3, 4])], [2, 3, 1], (g, [a]) => g.reduceMean(a, [-1], true));
    await check("rmeanSym", [x("a", [2, 3, 4], undefined, ["B", "T", 4])], [4], (g, [a]) => g.reduceMean(a, [0, 1], false));
    // Kinks must stay beyond the stencil's reach (2e-3): entries of a row differ by >= 0.05.
    const spaced = Array.from({ length: 6 }, () => [0, 1, 2, 3].map((v) => 0.1 * v + 0.05 * rnd.next()).sort(() => rnd.next() - 0.5)).flat();
    await check("rmax", [x("a", [2, 3, 4], spaced)], [2, 3], (g, [a]) => g.reduceMax(a, [-1], false));
  });
  it("Softmax / LogSoftmax", async () => {
    await check("softmax", [x("a", [2, 3, 5])], [2, 3, 5], (g, [a]) => g.softmax(a, -1));
    await check("softmax1", [x("a", [2, 3, 5])], [2, 3, 5], (g, [a]) => g.softmax(a, 1));
    await check("logsoftmax", [x("a", [2, 3, 5])], [2, 3, 5], (g, [a]) => g.logSoftmax(a, -1));
  });
  it("Reshape / Transpose / Unsqueeze / Squeeze / Expand / Cast / Identity", async () => {
    await check("reshape", [x("a", [2, 3, 4], undefined, ["B", 3, 4])], [2, 3, 2, 2], (g, [a]) => g.reshape(a, [0, 0, 2, 2]), ["B", 3, 2, 2]);
    await check("transpose", [x("a", [2, 3, 4])], [4, 2, 3], (g, [a]) => g.transpose(a, [2, 0, 1]));
    await check("unsq", [x("a", [2, 3])], [2, 3], (g, [a]) => g.squeeze(g.mul(g.unsqueeze(a, [0, 2]), g.unsqueeze(a, [0, 2])), [0, 2]));
    await check("expand", [x("a", [3, 1])], [2, 3, 4], (g, [a]) => g.expand(a, g.ints([2, 3, 4]), [2, 3, 4]));
    await check("cast", [x("a", [3])], [3], (g, [a]) => g.identity(g.cast(a, "float64")));
  });
  it("Gather (embedding) and GatherElements", async () => {
    const idx = Array.from({ length: 6 }, () => Math.floor(rnd.next() * 5));
    idx[1] = idx[0]; // a repeated row must accumulate
    await check("gather", [x("e", [5, 3]), { name: "i", dims: [2, 3], shape: ["B", 3], data: idx, dtype: "int64" }], [2, 3, 3], (g, [e, i]) => g.gather(e, i), ["B", 3, 3]);
    const pick = Array.from({ length: 6 }, () => Math.floor(rnd.next() * 4));
    pick[1] = pick[0];
    await check("gatherEl", [x("a", [2, 3, 4]), { name: "i", dims: [2, 3, 1], data: pick, dtype: "int64" }], [2, 3, 1], (g, [a, i]) => g.gatherElements(a, i, 2));
  });
  it("Where / Min / Max / Clip", async () => {
    const mask = Array.from({ length: 12 }, () => (rnd.next() < 0.5 ? 1 : 0));
    await check("where", [{ name: "m", dims: [3, 4], data: mask, dtype: "bool" }, x("a", [3, 4]), x("b", [4])], [3, 4], (g, [m, a, b]) => g.where(m, a, b));
    // Keep every pair / bound at least 0.05 apart so the stencil never straddles a kink.
    const b = randn([4]);
    const a = randn([3, 4]).map((v, i) => (Math.abs(v - b[i % 4]) < 0.05 ? v + 0.1 : v));
    await check("minmax", [x("a", [3, 4], a), x("b", [4], b)], [3, 4], (g, [a, b]) => g.add(g.min(a, b), g.mul(g.max(a, b), 2)));
    const c = randn([3, 4]).map((v) => (Math.abs(Math.abs(v) - 0.5) < 0.05 ? v * 1.3 : v));
    await check("clip", [x("a", [3, 4], c)], [3, 4], (g, [a]) => g.clip(a, -0.5, 0.5));
  });
  it("Concat / Split / Slice (static and symbolic)", async () => {
    await check("concat", [x("a", [2, 3]), x("b", [2, 2], undefined, ["B", 2])], [2, 5], (g, [a, b]) => g.concat([g.mul(a, a), b], 1));
    await check("split", [x("a", [2, 5])], [2, 3], (g, [a]) => {
      const [p, , r] = g.split(a, 1, [2, 1, 2]);
      return g.concat([p, g.slice(g.mul(r, r), [1], [2], [1])], 1);
    });
    await check("slice", [x("a", [3, 5])], [2, 3], (g, [a]) => g.slice(a, [1, 1], [99, -1], [0, 1]));
    await check("sliceSym", [x("a", [3, 5], undefined, ["B", "T"])], [3, 2], (g, [a]) => g.slice(a, [-3], [-1], [1]), ["B", 2]);
  });
});
