// Gradient checking against central finite differences on float64 graphs (llm.c test_gpt2.c style:
// report the largest difference per tensor). Used by the tests of the VJP rules and of the model.
//
// The difference is the fourth-order central stencil (8(f(x+h) - f(x-h)) - (f(x+2h) - f(x-2h))) / 12h
// with h = 1e-3: truncation ~h^4 and round-off ~1e-16/h both stay near 1e-13, where the plain
// two-point difference leaves ~1e-11 of noise that swamps small gradient entries. An element that
// disagrees is measured again at h/4 (see below). The function must
// be smooth within 2h of the point: tests keep inputs away from kinks (clip bounds, max ties).
// Error measure per element: |a - n| / max(|a|, |n|, 1e-4 * s), where a is the autodiff gradient,
// n the numeric one and s the largest |n| in that tensor (entries four orders of magnitude below the
// tensor's scale are judged against that scale).

import { gradients } from "./autodiff";
import { Graph, type DType, type Shape, type Tensor } from "./graph";
import { createSession, fromOrt, ort, toOrt } from "./session";

export interface CheckInput {
  name: string;
  dims: number[];
  /** Declared shape when it should be symbolic (e.g. ["B", 3]); defaults to dims. */
  shape?: Shape;
  data: ArrayLike<number>;
  /** float64 (checked unless `check: false`), int64 or bool (never perturbed). */
  dtype?: DType;
  check?: boolean;
}

export interface TensorReport {
  name: string;
  checked: number;
  maxAbsDiff: number;
  maxRelErr: number;
  worst: { index: number; analytic: number; numeric: number };
}

/** mulberry32: a tiny seeded generator for test data (tests print the seed on failure). */
export function testRandom(seed: number): { next(): number; normal(): number } {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, normal: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()) };
}

/**
 * Builds `build` twice in float64 (once with the autodiff gradients, once forward-only), then
 * compares gradients with central differences. `sample` caps the elements checked per tensor
 * (chosen at random with `pick`); default: all.
 */
export async function gradCheck(
  build: (g: Graph, inputs: Tensor[]) => Tensor,
  inputs: CheckInput[],
  opts: { h?: number; sample?: number; pick?: () => number } = {},
): Promise<TensorReport[]> {
  const h = opts.h ?? 1e-3;
  const declare = (g: Graph) => inputs.map((i) => g.input(i.name, i.dtype ?? "float64", i.shape ?? i.dims));
  const checked = inputs.filter((i) => (i.dtype ?? "float64") === "float64" && i.check !== false);

  const gb = new Graph("float64", "gradcheck");
  const ts = declare(gb);
  const loss = build(gb, ts);
  if (loss.shape.length !== 0) throw new Error("gradCheck wants a scalar loss");
  const grads = gradients(gb, loss, checked.map((c) => ts[inputs.indexOf(c)]));
  grads.forEach((t, k) => gb.output(t, `grad_${checked[k].name}`));
  const gf = new Graph("float64", "forward");
  gf.output(build(gf, declare(gf)), "loss");

  const [sessGrad, sessFwd] = await Promise.all([createSession(gb.toModelBytes(), { threads: 1 }), createSession(gf.toModelBytes(), { threads: 1 })]);
  const feeds: Record<string, ort.Tensor> = {};
  const bufs = new Map<string, Float64Array>();
  for (const i of inputs) {
    const dtype = i.dtype ?? "float64";
    if (dtype === "float64") {
      const b = Float64Array.from(i.data);
      bufs.set(i.name, b);
      feeds[i.name] = new ort.Tensor("float64", b, i.dims);
    } else feeds[i.name] = toOrt(dtype, i.data, i.dims);
  }
  const analytic = await sessGrad.run(feeds);
  const f = async () => fromOrt((await sessFwd.run(feeds)).loss)[0];

  const reports: TensorReport[] = [];
  for (const c of checked) {
    const a = fromOrt(analytic[`grad_${c.name}`]);
    const buf = bufs.get(c.name)!;
    let idx = Array.from(buf.keys());
    if (opts.sample !== undefined && idx.length > opts.sample) {
      const pick = opts.pick ?? Math.random;
      for (let i = idx.length - 1; i > 0; i--) {
        const j = Math.floor(pick() * (i + 1));
        [idx[i], idx[j]] = [idx[j], idx[i]];
      }
      idx = idx.slice(0, opts.sample);
    }
    const num = new Map<number, number>();
    for (const k of idx) {
      const x0 = buf[k];
      const at = async (d: number) => {
        buf[k] = x0 + d;
        return f();
      };
      const stencil = async (step: number) => (8 * ((await at(step)) - (await at(-step))) - ((await at(2 * step)) - (await at(-2 * step)))) / (12 * step);
      let n = await stencil(h);
      // Where the loss curves steeply, the h^4 truncation term can exceed 1e-7 of the gradient.
      // A correct gradient then agrees better at h/4 (the term falls 256-fold); a wrong one does
      // not, so taking the closer of the two estimates cannot hide an error.
      if (Math.abs(a[k] - n) > 1e-7 * Math.abs(n)) {
        const fine = await stencil(h / 4);
        if (Math.abs(a[k] - fine) < Math.abs(a[k] - n)) n = fine;
      }
      buf[k] = x0;
      num.set(k, n);
    }
    const scale = Math.max(...num.values(), ...[...num.values()].map((v) => -v));
    const rep: TensorReport = { name: c.name, checked: idx.length, maxAbsDiff: 0, maxRelErr: 0, worst: { index: -1, analytic: 0, numeric: 0 } };
    for (const [k, n] of num) {
      const d = Math.abs(a[k] - n);
      const rel = d / Math.max(Math.abs(a[k]), Math.abs(n), 1e-4 * scale, 1e-300);
      if (!(d <= rep.maxAbsDiff)) rep.maxAbsDiff = d;
      if (!(rel <= rep.maxRelErr)) {
        rep.maxRelErr = rel;
        rep.worst = { index: k, analytic: a[k], numeric: n };
      }
    }
    reports.push(rep);
  }
  await Promise.all([sessGrad.release(), sessFwd.release()]);
  return reports;
}

export function formatReports(reports: TensorReport[]): string {
  return reports
    .map((r) => `${r.name.padEnd(16)} n=${String(r.checked).padStart(4)} maxAbsDiff=${r.maxAbsDiff.toExponential(2)} maxRelErr=${r.maxRelErr.toExponential(2)} (at ${r.worst.index}: ${r.worst.analytic} vs ${r.worst.numeric})`)
    .join("\n");
}
