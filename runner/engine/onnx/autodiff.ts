// Reverse-mode autodiff over a `Graph`, in the tinygrad spirit: one table of vector-Jacobian-product
// rules, one short function per ONNX op type, each emitting ordinary ONNX nodes into the same graph.
// `gradients` walks the nodes in reverse emission order, sums every gradient that reaches a tensor,
// and `unbroadcast` (the one place that does it) reduces broadcast gradients back to input shapes.
// ReduceMax gets a real rule (gradient to the arg-max, split over ties), so using it for
// numerical stability inside a differentiated path is still exact.

import { type Graph, type Node, type Tensor, isFloat } from "./graph";

/** A VJP rule: output gradients (null where none reached) -> input gradients (null = none). */
type Rule = (g: Graph, n: Node, dy: Array<Tensor | null>, needs: boolean[]) => Array<Tensor | null>;

/** Sum `grad` (shaped like the broadcast result) back down to `like`'s shape. */
export function unbroadcast(g: Graph, grad: Tensor, like: Tensor): Tensor {
  const gs = grad.shape, ts = like.shape;
  const lead = gs.length - ts.length;
  const axes: number[] = [];
  for (let i = 0; i < lead; i++) axes.push(i);
  ts.forEach((d, i) => {
    if (d === 1 && gs[lead + i] !== 1) axes.push(lead + i);
  });
  if (axes.length === 0) return grad;
  let r = g.reduceSum(grad, axes, true);
  if (lead > 0) r = g.squeeze(r, Array.from({ length: lead }, (_, i) => i));
  return r;
}

const swapLast = (g: Graph, x: Tensor): Tensor => {
  const r = x.shape.length;
  const perm = Array.from({ length: r }, (_, i) => i);
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return g.transpose(x, perm);
};

const inp = (n: Node, k: number): Tensor => {
  const t = n.inputs[k];
  if (!t) throw new Error(`${n.op}: missing input ${k}`);
  return t;
};
const attrInts = (n: Node, key: string): number[] => n.attrs[key] as number[];
const attrInt = (n: Node, key: string): number => n.attrs[key] as number;

const normAxes = (axes: number[], rank: number) => axes.map((a) => (a < 0 ? a + rank : a));

/** Gradient of a reduction: dy (with or without kept dims) expanded back to x's shape. */
function expandReduced(g: Graph, dy: Tensor, x: Tensor, axes: number[], keep: boolean): Tensor {
  const kept = keep ? dy : g.unsqueeze(dy, normAxes(axes, x.shape.length));
  return g.expand(kept, g.shapeOf(x), x.shape);
}

const reductionAxes = (g: Graph, n: Node): number[] => {
  const x = inp(n, 0);
  const ax = n.op === "ReduceSum" ? g.constValue(n.inputs[1] ?? null) : attrInts(n, "axes");
  if (!ax) throw new Error(`${n.op}: axes must be a constant`);
  return normAxes(ax, x.shape.length);
};

export const VJP: Record<string, Rule> = {
  Identity: (_g, _n, [dy]) => [dy],
  Add: (g, n, [dy], needs) => [needs[0] ? unbroadcast(g, dy!, inp(n, 0)) : null, needs[1] ? unbroadcast(g, dy!, inp(n, 1)) : null],
  Sub: (g, n, [dy], needs) => [unbroadcast(g, dy!, inp(n, 0)), needs[1] ? unbroadcast(g, g.neg(dy!), inp(n, 1)) : null],
  Mul: (g, n, [dy], needs) => [
    needs[0] ? unbroadcast(g, g.mul(dy!, inp(n, 1)), inp(n, 0)) : null,
    needs[1] ? unbroadcast(g, g.mul(dy!, inp(n, 0)), inp(n, 1)) : null,
  ],
  Div: (g, n, [dy], needs) => {
    const da = g.div(dy!, inp(n, 1));
    return [needs[0] ? unbroadcast(g, da, inp(n, 0)) : null, needs[1] ? unbroadcast(g, g.neg(g.mul(da, n.outputs[0])), inp(n, 1)) : null];
  },
  Pow: (g, n, [dy], needs) => {
    const [a, b] = [inp(n, 0), inp(n, 1)];
    return [
      needs[0] ? unbroadcast(g, g.mul(dy!, g.mul(b, g.pow(a, g.sub(b, 1)))), a) : null,
      needs[1] ? unbroadcast(g, g.mul(dy!, g.mul(n.outputs[0], g.log(a))), b) : null,
    ];
  },
  Neg: (g, _n, [dy]) => [g.neg(dy!)],
  Exp: (g, n, [dy]) => [g.mul(dy!, n.outputs[0])],
  Log: (g, n, [dy]) => [g.div(dy!, inp(n, 0))],
  Tanh: (g, n, [dy]) => {
    const y = n.outputs[0];
    return [g.mul(dy!, g.sub(1, g.mul(y, y)))];
  },
  Sqrt: (g, n, [dy]) => [g.div(g.mul(dy!, 0.5), n.outputs[0])],
  Cast: (g, n, [dy]) => [isFloat(inp(n, 0).dtype) ? g.cast(dy!, inp(n, 0).dtype) : null],
  Max: (g, n, [dy], needs) => {
    const [a, b] = [inp(n, 0), inp(n, 1)];
    const m = g.greaterOrEqual(a, b);
    return [needs[0] ? unbroadcast(g, g.where(m, dy!, 0), a) : null, needs[1] ? unbroadcast(g, g.where(m, 0, dy!), b) : null];
  },
  Min: (g, n, [dy], needs) => {
    const [a, b] = [inp(n, 0), inp(n, 1)];
    const m = g.lessOrEqual(a, b);
    return [needs[0] ? unbroadcast(g, g.where(m, dy!, 0), a) : null, needs[1] ? unbroadcast(g, g.where(m, 0, dy!), b) : null];
  },
  // Bounds are hyperparameters: no gradient to them.
  Clip: (g, n, [dy]) => {
    const x = inp(n, 0);
    const inside = g.and(g.greaterOrEqual(x, inp(n, 1)), g.lessOrEqual(x, inp(n, 2)));
    return [g.where(inside, dy!, 0), null, null];
  },
  Where: (g, n, [dy], needs) => {
    const c = inp(n, 0);
    return [null, needs[1] ? unbroadcast(g, g.where(c, dy!, 0), inp(n, 1)) : null, needs[2] ? unbroadcast(g, g.where(c, 0, dy!), inp(n, 2)) : null];
  },
  MatMul: (g, n, [dy], needs) => {
    const [a, b] = [inp(n, 0), inp(n, 1)];
    if (a.shape.length === 2 && b.shape.length === 2) {
      // Plain 2-D product: Gemm's transpose flags instead of Transpose nodes.
      return [needs[0] ? g.gemm(dy!, b, false, true) : null, needs[1] ? g.gemm(a, dy!, true, false) : null];
    }
    const da = needs[0] ? unbroadcast(g, g.matmul(dy!, swapLast(g, b)), a) : null;
    let db: Tensor | null = null;
    if (needs[1]) {
      if (b.shape.length === 2 && a.shape.length > 2) {
        // A weight: fold every batch dim into one Gemm instead of a batched matmul plus a reduction.
        const k = b.shape[0], m = b.shape[1];
        if (typeof k !== "number" || typeof m !== "number") throw new Error("MatMul weight needs static dims");
        db = g.gemm(g.reshape(a, [-1, k]), g.reshape(dy!, [-1, m]), true, false);
      } else db = unbroadcast(g, g.matmul(swapLast(g, a), dy!), b);
    }
    return [da, db];
  },
  // Plain Gemm (no transposes, alpha = beta = 1), as emitted by Graph.linear.
  Gemm: (g, n, [dy], needs) => {
    if (n.attrs.transA || n.attrs.transB || n.attrs.alpha !== undefined || n.attrs.beta !== undefined) throw new Error("Gemm VJP supports the plain form only");
    const [a, b] = [inp(n, 0), inp(n, 1)];
    return [
      needs[0] ? g.gemm(dy!, b, false, true) : null,
      needs[1] ? g.gemm(a, dy!, true, false) : null,
      n.inputs[2] && needs[2] ? unbroadcast(g, dy!, n.inputs[2]) : null,
    ];
  },
  // Over the last axis, with gain/bias of that axis's size; reuses the saved mean and 1/std.
  LayerNormalization: (g, n, [dy], needs) => {
    const [x, gain] = [inp(n, 0), inp(n, 1)];
    if (attrInt(n, "axis") !== -1) throw new Error("LayerNormalization VJP supports axis -1 only");
    let mean = n.outputs[1], inv = n.outputs[2];
    if (x.dtype !== mean.dtype) {
      mean = g.reduceMean(x, [-1], true);
      const xc = g.sub(x, mean);
      inv = g.div(1, g.sqrt(g.add(g.reduceMean(g.mul(xc, xc), [-1], true), Math.fround((n.attrs.epsilon as { f: number }).f))));
    }
    const xhat = g.mul(g.sub(x, mean), inv);
    const lead = x.shape.slice(0, -1).map((_, i) => i);
    const gx = g.mul(dy!, gain);
    const dx = needs[0]
      ? g.mul(inv, g.sub(g.sub(gx, g.reduceMean(gx, [-1], true)), g.mul(xhat, g.reduceMean(g.mul(gx, xhat), [-1], true))))
      : null;
    return [dx, needs[1] ? g.reduceSum(g.mul(dy!, xhat), lead, false) : null, needs[2] ? g.reduceSum(dy!, lead, false) : null];
  },
  ReduceSum: (g, n, [dy]) => [expandReduced(g, dy!, inp(n, 0), reductionAxes(g, n), attrInt(n, "keepdims") !== 0), null],
  ReduceMean: (g, n, [dy]) => {
    const x = inp(n, 0), y = n.outputs[0];
    const axes = reductionAxes(g, n);
    const dims = axes.map((a) => x.shape[a]);
    const scale = dims.every((d) => typeof d === "number")
      ? g.constant(1 / (dims as number[]).reduce((p, q) => p * q, 1))
      : g.div(g.cast(g.size(y), g.float), g.cast(g.size(x), g.float));
    return [g.mul(expandReduced(g, dy!, x, axes, attrInt(n, "keepdims") !== 0), scale)];
  },
  ReduceMax: (g, n, [dy]) => {
    const x = inp(n, 0), axes = reductionAxes(g, n);
    const keep = attrInt(n, "keepdims") !== 0;
    const yk = keep ? n.outputs[0] : g.unsqueeze(n.outputs[0], axes);
    const dyk = keep ? dy! : g.unsqueeze(dy!, axes);
    const hit = g.cast(g.equal(x, yk), x.dtype);
    return [g.mul(hit, g.div(dyk, g.reduceSum(hit, axes, true)))];
  },
  Softmax: (g, n, [dy]) => {
    const y = n.outputs[0], axis = attrInt(n, "axis");
    return [g.mul(y, g.sub(dy!, g.reduceSum(g.mul(dy!, y), [axis], true)))];
  },
  LogSoftmax: (g, n, [dy]) => {
    const y = n.outputs[0], axis = attrInt(n, "axis");
    return [g.sub(dy!, g.mul(g.exp(y), g.reduceSum(dy!, [axis], true)))];
  },
  Reshape: (g, n, [dy]) => [g.reshapeTo(dy!, g.shapeOf(inp(n, 0)), inp(n, 0).shape), null],
  Expand: (g, n, [dy]) => [unbroadcast(g, dy!, inp(n, 0)), null],
  Transpose: (g, n, [dy]) => {
    const perm = attrInts(n, "perm");
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => (inv[p] = i));
    return [g.transpose(dy!, inv)];
  },
  Unsqueeze: (g, n, [dy]) => [g.squeeze(dy!, g.constValue(n.inputs[1] ?? null)!), null],
  Squeeze: (g, n, [dy]) => [g.unsqueeze(dy!, g.constValue(n.inputs[1] ?? null)!), null],
  Concat: (g, n, [dy]) => {
    const axis = attrInt(n, "axis");
    const xs = n.inputs.map((_, k) => inp(n, k));
    const sizes = g.concat(xs.map((x) => g.dimOf(x, axis)), 0);
    return g.emit("Split", [dy!, sizes], { axis }, xs.map((x) => ({ dtype: dy!.dtype, shape: x.shape })));
  },
  Split: (g, n, dys) => {
    const axis = attrInt(n, "axis");
    return [g.concat(dys.map((d, k) => d ?? g.fillLike(n.outputs[k], 0)), axis), null];
  },
  Slice: (g, n, [dy]) => {
    const x = inp(n, 0);
    const rank = x.shape.length;
    const starts = g.constValue(n.inputs[1] ?? null), ends = g.constValue(n.inputs[2] ?? null), axes = g.constValue(n.inputs[3] ?? null);
    if (!starts || !ends || !axes || n.inputs[4]) throw new Error("Slice VJP needs constant starts/ends/axes and step 1");
    const zero = g.ints([0]);
    const before: Tensor[] = Array.from({ length: rank }, () => zero);
    const after: Tensor[] = Array.from({ length: rank }, () => zero);
    axes.forEach((a0, i) => {
      const a = a0 < 0 ? a0 + rank : a0;
      const d = g.dimOf(x, a);
      const norm = (v: number): Tensor => {
        const raw = v < 0 ? g.add(d, g.ints([v])) : g.ints([v]);
        return g.min(g.max(raw, g.ints([0])), d);
      };
      const s = norm(starts[i]), e = norm(ends[i]);
      before[a] = s;
      after[a] = g.sub(d, g.max(e, s));
    });
    const dx = g.emit("Pad", [dy!, g.concat([...before, ...after], 0)], {}, [{ dtype: dy!.dtype, shape: x.shape }])[0];
    return [dx, null, null, null];
  },
  // Embedding lookup: the scatter-add is a one-hot Gemm, fast on CPU for small vocabularies.
  Gather: (g, n, [dy]) => {
    const data = inp(n, 0), idx = inp(n, 1);
    if (attrInt(n, "axis") !== 0) throw new Error("Gather VJP supports axis 0 only");
    const [v, ...rest] = data.shape;
    if (typeof v !== "number" || !rest.every((d) => typeof d === "number")) throw new Error("Gather VJP needs a static data shape");
    const r = (rest as number[]).reduce((p, q) => p * q, 1);
    const oneHot = g.cast(g.equal(g.reshape(idx, [-1, 1]), g.range(0, v, v)), g.float); // (N, V)
    const dd = g.gemm(oneHot, g.reshape(dy!, [-1, r]), true, false); // (V, R)
    return [rest.length === 1 ? dd : g.reshape(dd, data.shape as number[]), null];
  },
  GatherElements: (g, n, [dy]) => {
    const data = inp(n, 0);
    return [g.scatterElements(g.fillLike(data, 0), inp(n, 1), dy!, attrInt(n, "axis"), "add"), null];
  },
};

/**
 * Gradients of the scalar (or any-shape, seeded with ones) `loss` with respect to each of `wrt`,
 * emitted into `g`. A tensor the loss does not depend on gets zeros.
 */
export function gradients(g: Graph, loss: Tensor, wrt: Tensor[]): Tensor[] {
  const nodes = g.nodes.slice();
  const active = new Set(wrt.map((t) => t.name));
  for (const n of nodes) {
    if (n.inputs.some((t) => t && active.has(t.name))) for (const o of n.outputs) if (isFloat(o.dtype)) active.add(o.name);
  }
  if (!active.has(loss.name)) throw new Error("loss does not depend on any of the tensors asked for");
  const grads = new Map<string, Tensor>();
  grads.set(loss.name, loss.shape.length === 0 ? g.constant(1, loss.dtype) : g.fillLike(loss, 1));
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i];
    const dys = n.outputs.map((o) => grads.get(o.name) ?? null);
    if (dys.every((d) => d === null)) continue;
    const ins = n.composite ? n.composite.inputs : n.inputs;
    const needs = ins.map((t) => t !== null && active.has(t.name));
    if (!needs.some(Boolean)) continue;
    let dxs: Array<Tensor | null>;
    if (n.composite) dxs = n.composite.vjp(g, dys, needs);
    else {
      const rule = VJP[n.op];
      if (!rule) throw new Error(`no VJP rule for ${n.op}`);
      dxs = rule(g, n, dys, needs);
    }
    ins.forEach((t, k) => {
      const d = dxs[k];
      if (!t || !needs[k] || !d) return;
      const prev = grads.get(t.name);
      grads.set(t.name, prev ? g.add(prev, d) : d);
    });
  }
  return wrt.map((w) => grads.get(w.name) ?? g.fillLike(w, 0));
}
