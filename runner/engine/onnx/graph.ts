// A small ONNX graph builder over onnx-proto (opset 17).
//
// Tensors carry a dtype and a shape whose dims are numbers (static) or strings (symbolic: "B", "T",
// or "?n" for dims only known at run time). Shapes are tracked so that autodiff can reduce
// broadcast gradients statically: a dim is treated as broadcast only where it is literally 1.
// Nodes are kept in emission order, which is a topological order (autodiff relies on that).
// Every op method below emits ordinary ONNX nodes; `autodiff.ts` holds one VJP rule per op type.

import onnxProto from "onnx-proto";

const { onnx } = onnxProto;

export type DType = "float32" | "float64" | "int64" | "bool";
export type Dim = number | string;
export type Shape = Dim[];

export const OPSET = 17;
/** onnxruntime's contrib operator domain (CPU kernels for float32 only, e.g. FastGelu). */
export const MS_DOMAIN = "com.microsoft";

/** Attribute values: plain numbers are ints, `{ f }` floats, number[] ints lists, strings strings. */
export type AttrValue = number | { f: number } | number[] | string | { tensor: { dtype: DType; dims: number[]; data: number[] } };

export interface Node {
  readonly op: string;
  readonly inputs: ReadonlyArray<Tensor | null>;
  readonly outputs: Tensor[];
  readonly attrs: Readonly<Record<string, AttrValue>>;
  /** Operator set domain; default "" (ONNX). "com.microsoft" for onnxruntime's contrib ops. */
  domain?: string;
  /** Set on the last node of a composite (see `markComposite`). */
  composite?: Composite;
}

/**
 * A run of nodes that autodiff treats as one op: the gradient flows from the marked node straight
 * to `inputs` through `vjp`, skipping the interior (which then needs no VJP rules of its own).
 */
export interface Composite {
  inputs: Tensor[];
  vjp: (g: Graph, dy: Array<Tensor | null>, needs: boolean[]) => Array<Tensor | null>;
}

export interface Tensor {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: Shape;
  /** The node that computes it; null for graph inputs and constants. */
  readonly producer: Node | null;
}

const DTYPE_CODE: Record<DType, number> = { float32: 1, int64: 7, bool: 9, float64: 11 };

export const isFloat = (d: DType): boolean => d === "float32" || d === "float64";

interface Initializer {
  name: string;
  dtype: DType;
  dims: number[];
  data: number[];
}

export class Graph {
  readonly nodes: Node[] = [];
  readonly inputs: Tensor[] = [];
  readonly outputs: Tensor[] = [];
  private readonly inits: Initializer[] = [];
  private readonly names = new Set<string>();
  private readonly constCache = new Map<string, Tensor>();
  private readonly constValues = new Map<string, number[]>();
  private counter = 0;
  private symCounter = 0;

  /** `float` is the dtype of every floating tensor this graph makes (constants included). */
  constructor(readonly float: "float32" | "float64" = "float32", readonly name = "graph") {}

  private fresh(hint: string): string {
    let n: string;
    do n = `${hint}_${this.counter++}`;
    while (this.names.has(n));
    this.names.add(n);
    return n;
  }

  freshDim(): string {
    return `?${this.symCounter++}`;
  }

  input(name: string, dtype: DType, shape: Shape): Tensor {
    if (this.names.has(name)) throw new Error(`duplicate tensor name ${name}`);
    this.names.add(name);
    const t: Tensor = { name, dtype, shape: [...shape], producer: null };
    this.inputs.push(t);
    return t;
  }

  /**
   * Marks `t` as a graph output named `name`: a computed tensor is renamed in place, an input or
   * an already-exported tensor goes through an Identity.
   */
  output(t: Tensor, name?: string): Tensor {
    let out = t;
    if (name !== undefined && name !== t.name && t.producer && !this.outputs.includes(t) && !this.names.has(name)) {
      // Rename in place: consumers hold the object, so no copy (an Identity would be one).
      this.names.delete(t.name);
      this.names.add(name);
      (t as { name: string }).name = name;
    } else if (name !== undefined && name !== t.name) {
      if (this.names.has(name)) throw new Error(`duplicate tensor name ${name}`);
      this.names.add(name);
      const o: Tensor = { name, dtype: t.dtype, shape: t.shape, producer: null };
      const node: Node = { op: "Identity", inputs: [t], outputs: [o], attrs: {} };
      (o as { producer: Node | null }).producer = node;
      this.nodes.push(node);
      out = o;
    }
    this.outputs.push(out);
    return out;
  }

  /** A constant tensor (float dtype defaults to the graph's float). Scalars are cached. */
  constant(values: number | number[], dtype: DType = this.float, dims?: number[]): Tensor {
    const data = typeof values === "number" ? [values] : values;
    const d = dims ?? (typeof values === "number" ? [] : [data.length]);
    const key = `${dtype}|${d.join(",")}|${data.length <= 8 ? data.join(",") : ""}`;
    if (data.length <= 8) {
      const hit = this.constCache.get(key);
      if (hit) return hit;
    }
    const name = this.fresh("const");
    this.inits.push({ name, dtype, dims: d, data });
    this.constValues.set(name, data);
    const t: Tensor = { name, dtype, shape: d, producer: null };
    if (data.length <= 8) this.constCache.set(key, t);
    return t;
  }

  /** The values of a tensor made by `constant`, else undefined. */
  constValue(t: Tensor | null): number[] | undefined {
    return t ? this.constValues.get(t.name) : undefined;
  }

  ints(values: number[]): Tensor {
    return this.constant(values, "int64", [values.length]);
  }

  /** Low-level emission: one node, outputs with the given dtypes and shapes. */
  emit(op: string, inputs: Array<Tensor | null>, attrs: Record<string, AttrValue>, outs: Array<{ dtype: DType; shape: Shape }>): Tensor[] {
    const node: Node = { op, inputs, outputs: [], attrs };
    for (const o of outs) {
      node.outputs.push({ name: this.fresh(op.toLowerCase()), dtype: o.dtype, shape: o.shape, producer: node });
    }
    this.nodes.push(node);
    return node.outputs;
  }

  private emit1(op: string, inputs: Array<Tensor | null>, attrs: Record<string, AttrValue>, dtype: DType, shape: Shape): Tensor {
    return this.emit(op, inputs, attrs, [{ dtype, shape }])[0];
  }

  markComposite(out: Tensor, inputs: Tensor[], vjp: Composite["vjp"]): void {
    if (!out.producer) throw new Error("markComposite wants a computed tensor");
    out.producer.composite = { inputs, vjp };
  }

  // ---- shape helpers ----

  broadcastShape(...shapes: Shape[]): Shape {
    const rank = Math.max(...shapes.map((s) => s.length));
    const out: Shape = [];
    for (let i = 0; i < rank; i++) {
      let d: Dim = 1;
      for (const s of shapes) {
        const k = i - (rank - s.length);
        if (k < 0) continue;
        const e = s[k];
        if (e === 1) continue;
        if (d === 1) d = e;
        else if (d !== e) {
          if (typeof d === "number" && typeof e === "number") throw new Error(`cannot broadcast ${shapes.map((x) => `[${x}]`).join(" ")}`);
          // Symbolic dims that differ are assumed equal at run time; keep the more informative one.
          if (typeof d === "string" && (typeof e === "number" || d.startsWith("?"))) d = e;
        }
      }
      out.push(d);
    }
    return out;
  }

  private axis(a: number, rank: number): number {
    const r = a < 0 ? a + rank : a;
    if (r < 0 || r >= rank) throw new Error(`axis ${a} out of range for rank ${rank}`);
    return r;
  }

  // ---- elementwise ----

  private binary(op: string, a: Tensor, b: Tensor, dtype: DType = a.dtype): Tensor {
    return this.emit1(op, [a, b], {}, dtype, this.broadcastShape(a.shape, b.shape));
  }
  private num(x: Tensor | number): Tensor {
    return typeof x === "number" ? this.constant(x) : x;
  }
  add(a: Tensor | number, b: Tensor | number): Tensor { return this.binary("Add", this.num(a), this.num(b)); }
  sub(a: Tensor | number, b: Tensor | number): Tensor { return this.binary("Sub", this.num(a), this.num(b)); }
  mul(a: Tensor | number, b: Tensor | number): Tensor { return this.binary("Mul", this.num(a), this.num(b)); }
  div(a: Tensor | number, b: Tensor | number): Tensor { return this.binary("Div", this.num(a), this.num(b)); }
  pow(a: Tensor, b: Tensor | number): Tensor { return this.binary("Pow", a, this.num(b)); }
  max(a: Tensor | number, b: Tensor | number): Tensor { return this.binary("Max", this.num(a), this.num(b)); }
  min(a: Tensor | number, b: Tensor | number): Tensor { return this.binary("Min", this.num(a), this.num(b)); }
  equal(a: Tensor, b: Tensor): Tensor { return this.binary("Equal", a, b, "bool"); }
  less(a: Tensor, b: Tensor): Tensor { return this.binary("Less", a, b, "bool"); }
  lessOrEqual(a: Tensor, b: Tensor): Tensor { return this.binary("LessOrEqual", a, b, "bool"); }
  greater(a: Tensor, b: Tensor): Tensor { return this.binary("Greater", a, b, "bool"); }
  greaterOrEqual(a: Tensor, b: Tensor): Tensor { return this.binary("GreaterOrEqual", a, b, "bool"); }
  and(a: Tensor, b: Tensor): Tensor { return this.binary("And", a, b, "bool"); }
  not(a: Tensor): Tensor { return this.emit1("Not", [a], {}, "bool", a.shape); }

  private unary(op: string, x: Tensor): Tensor { return this.emit1(op, [x], {}, x.dtype, x.shape); }
  neg(x: Tensor): Tensor { return this.unary("Neg", x); }
  exp(x: Tensor): Tensor { return this.unary("Exp", x); }
  log(x: Tensor): Tensor { return this.unary("Log", x); }
  tanh(x: Tensor): Tensor { return this.unary("Tanh", x); }
  sqrt(x: Tensor): Tensor { return this.unary("Sqrt", x); }
  identity(x: Tensor): Tensor { return this.unary("Identity", x); }
  cast(x: Tensor, to: DType): Tensor { return this.emit1("Cast", [x], { to: DTYPE_CODE[to] }, to, x.shape); }

  where(c: Tensor, x: Tensor | number, y: Tensor | number): Tensor {
    const xt = this.num(x), yt = this.num(y);
    return this.emit1("Where", [c, xt, yt], {}, xt.dtype, this.broadcastShape(c.shape, xt.shape, yt.shape));
  }
  clip(x: Tensor, lo: Tensor | number, hi: Tensor | number): Tensor {
    return this.emit1("Clip", [x, this.num(lo), this.num(hi)], {}, x.dtype, x.shape);
  }

  // ---- linear algebra ----

  matmul(a: Tensor, b: Tensor): Tensor {
    if (a.shape.length < 2 || b.shape.length < 2) throw new Error("matmul wants rank >= 2");
    const batch = this.broadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    return this.emit1("MatMul", [a, b], {}, a.dtype, [...batch, a.shape[a.shape.length - 2], b.shape[b.shape.length - 1]]);
  }
  /** 2-D Gemm: op(a) @ op(b), op = transpose where asked. */
  gemm(a: Tensor, b: Tensor, transA = false, transB = false): Tensor {
    const m = transA ? a.shape[1] : a.shape[0];
    const n = transB ? b.shape[0] : b.shape[1];
    return this.emit1("Gemm", [a, b], { transA: transA ? 1 : 0, transB: transB ? 1 : 0 }, a.dtype, [m, n]);
  }

  // ---- reductions ----

  private reduceShape(x: Tensor, axes: number[], keep: boolean): Shape {
    const r = x.shape.length;
    const set = new Set(axes.map((a) => this.axis(a, r)));
    const out: Shape = [];
    x.shape.forEach((d, i) => {
      if (!set.has(i)) out.push(d);
      else if (keep) out.push(1);
    });
    return out;
  }
  reduceSum(x: Tensor, axes: number[], keepdims = true): Tensor {
    const ax = axes.map((a) => this.axis(a, x.shape.length));
    return this.emit1("ReduceSum", [x, this.ints(ax)], { keepdims: keepdims ? 1 : 0 }, x.dtype, this.reduceShape(x, ax, keepdims));
  }
  reduceMean(x: Tensor, axes: number[], keepdims = true): Tensor {
    const ax = axes.map((a) => this.axis(a, x.shape.length));
    return this.emit1("ReduceMean", [x], { axes: ax, keepdims: keepdims ? 1 : 0 }, x.dtype, this.reduceShape(x, ax, keepdims));
  }
  reduceMax(x: Tensor, axes: number[], keepdims = true): Tensor {
    const ax = axes.map((a) => this.axis(a, x.shape.length));
    return this.emit1("ReduceMax", [x], { axes: ax, keepdims: keepdims ? 1 : 0 }, x.dtype, this.reduceShape(x, ax, keepdims));
  }
  /** Sum over every element, as a scalar. */
  sumAll(x: Tensor): Tensor {
    return this.reduceSum(x, x.shape.map((_, i) => i), false);
  }
  softmax(x: Tensor, axis = -1): Tensor {
    return this.emit1("Softmax", [x], { axis: this.axis(axis, x.shape.length) }, x.dtype, x.shape);
  }
  logSoftmax(x: Tensor, axis = -1): Tensor {
    return this.emit1("LogSoftmax", [x], { axis: this.axis(axis, x.shape.length) }, x.dtype, x.shape);
  }

  // ---- shape ops ----

  /** Reshape with a static spec: 0 copies the input dim, -1 is inferred. */
  reshape(x: Tensor, spec: number[]): Tensor {
    const out: Shape = spec.map((s, i) => (s === 0 ? x.shape[i] : s));
    const inf = out.indexOf(-1);
    if (inf >= 0) {
      const known = out.filter((_, i) => i !== inf);
      const total = x.shape.every((d) => typeof d === "number") ? (x.shape as number[]).reduce((a, b) => a * b, 1) : null;
      const rest = known.every((d) => typeof d === "number") ? (known as number[]).reduce((a, b) => a * b, 1) : null;
      out[inf] = total !== null && rest !== null ? total / rest : this.freshDim();
    }
    return this.emit1("Reshape", [x, this.ints(spec)], {}, x.dtype, out);
  }
  /** Reshape to a run-time shape tensor; `shape` is the static description of the result. */
  reshapeTo(x: Tensor, shapeTensor: Tensor, shape: Shape): Tensor {
    return this.emit1("Reshape", [x, shapeTensor], {}, x.dtype, shape);
  }
  transpose(x: Tensor, perm: number[]): Tensor {
    return this.emit1("Transpose", [x], { perm }, x.dtype, perm.map((p) => x.shape[p]));
  }
  unsqueeze(x: Tensor, axes: number[]): Tensor {
    const rank = x.shape.length + axes.length;
    const ax = axes.map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
    const out: Shape = [];
    let k = 0;
    for (let i = 0; i < rank; i++) out.push(ax.includes(i) ? 1 : x.shape[k++]);
    return this.emit1("Unsqueeze", [x, this.ints(ax)], {}, x.dtype, out);
  }
  squeeze(x: Tensor, axes: number[]): Tensor {
    const ax = axes.map((a) => this.axis(a, x.shape.length));
    return this.emit1("Squeeze", [x, this.ints(ax)], {}, x.dtype, x.shape.filter((_, i) => !ax.includes(i)));
  }
  shapeOf(x: Tensor): Tensor {
    return this.emit1("Shape", [x], {}, "int64", [x.shape.length]);
  }
  /** One dim of x at run time as an int64 tensor of shape [1]. */
  dimOf(x: Tensor, axis: number): Tensor {
    const a = this.axis(axis, x.shape.length);
    return this.emit1("Shape", [x], { start: a, end: a + 1 }, "int64", [1]);
  }
  size(x: Tensor): Tensor {
    return this.emit1("Size", [x], {}, "int64", []);
  }
  expand(x: Tensor, shapeTensor: Tensor, shape: Shape): Tensor {
    return this.emit1("Expand", [x, shapeTensor], {}, x.dtype, shape);
  }
  /** Zeros (or `value`) with the run-time shape of `like`. */
  fillLike(like: Tensor, value = 0, dtype: DType = like.dtype): Tensor {
    return this.emit1("ConstantOfShape", [this.shapeOf(like)], { value: { tensor: { dtype, dims: [1], data: [value] } } }, dtype, like.shape);
  }
  /** int64 range [start, limit) with step 1; start/limit are scalar int64 tensors or numbers. */
  range(start: Tensor | number, limit: Tensor | number, len: Dim = this.freshDim()): Tensor {
    const s = typeof start === "number" ? this.constant(start, "int64", []) : start;
    const l = typeof limit === "number" ? this.constant(limit, "int64", []) : limit;
    return this.emit1("Range", [s, l, this.constant(1, "int64", [])], {}, "int64", [len]);
  }
  concat(xs: Tensor[], axis: number): Tensor {
    const a = this.axis(axis, xs[0].shape.length);
    const out = [...xs[0].shape];
    const ds = xs.map((x) => x.shape[a]);
    out[a] = ds.every((d) => typeof d === "number") ? (ds as number[]).reduce((p, q) => p + q, 0) : this.freshDim();
    return this.emit1("Concat", xs, { axis: a }, xs[0].dtype, out);
  }
  split(x: Tensor, axis: number, sizes: number[]): Tensor[] {
    const a = this.axis(axis, x.shape.length);
    return this.emit("Split", [x, this.ints(sizes)], { axis: a }, sizes.map((s) => {
      const sh = [...x.shape];
      sh[a] = s;
      return { dtype: x.dtype, shape: sh };
    }));
  }
  /** Static slice with step 1 along `axes` (ends may exceed the dim; negative values count from the end). */
  slice(x: Tensor, starts: number[], ends: number[], axes: number[]): Tensor {
    const ax = axes.map((a) => this.axis(a, x.shape.length));
    const out = [...x.shape];
    ax.forEach((a, i) => {
      const d = x.shape[a];
      if (typeof d === "number") {
        const norm = (v: number) => Math.min(Math.max(v < 0 ? v + d : v, 0), d);
        out[a] = Math.max(norm(ends[i]) - norm(starts[i]), 0);
      } else out[a] = this.freshDim();
    });
    return this.emit1("Slice", [x, this.ints(starts), this.ints(ends), this.ints(ax)], {}, x.dtype, out);
  }
  gather(data: Tensor, idx: Tensor, axis = 0): Tensor {
    const a = this.axis(axis, data.shape.length);
    return this.emit1("Gather", [data, idx], { axis: a }, data.dtype, [...data.shape.slice(0, a), ...idx.shape, ...data.shape.slice(a + 1)]);
  }
  gatherElements(data: Tensor, idx: Tensor, axis: number): Tensor {
    return this.emit1("GatherElements", [data, idx], { axis: this.axis(axis, data.shape.length) }, data.dtype, idx.shape);
  }
  scatterElements(data: Tensor, idx: Tensor, upd: Tensor, axis: number, reduction: "none" | "add" = "none"): Tensor {
    return this.emit1("ScatterElements", [data, idx, upd], { axis: this.axis(axis, data.shape.length), reduction }, data.dtype, data.shape);
  }
  /**
   * LayerNormalization over the last axis. Its per-row mean and 1/std outputs are always float32
   * (onnxruntime's CPU kernel has no float64 stash), so the VJP rule reuses them in float32 graphs
   * and recomputes them in float64 ones.
   */
  layerNorm(x: Tensor, g: Tensor, b: Tensor, eps: number): Tensor {
    const stat = [...x.shape.slice(0, -1), 1];
    return this.emit("LayerNormalization", [x, g, b], { axis: -1, epsilon: { f: eps }, stash_type: 1 }, [
      { dtype: x.dtype, shape: x.shape }, { dtype: "float32", shape: stat }, { dtype: "float32", shape: stat },
    ])[0];
  }
  /** Gemm with a bias row: a (N, K) @ b (K, M) + c (M). */
  linear(a: Tensor, b: Tensor, c: Tensor): Tensor {
    return this.emit1("Gemm", [a, b, c], {}, a.dtype, [a.shape[0], b.shape[1]]);
  }

  // ---- serialization ----

  toModelBytes(): Uint8Array {
    const valueInfo = (t: Tensor): onnxProto.onnx.IValueInfoProto => ({
      name: t.name,
      type: {
        tensorType: {
          elemType: DTYPE_CODE[t.dtype],
          shape: { dim: t.shape.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d.startsWith("?") ? undefined : d })) },
        },
      },
    });
    const attr = (name: string, v: AttrValue): onnxProto.onnx.IAttributeProto => {
      const T = onnx.AttributeProto.AttributeType;
      if (typeof v === "number") return { name, type: T.INT, i: v };
      if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
      if (typeof v === "object") {
        if ("f" in v) return { name, type: T.FLOAT, f: v.f };
        return { name, type: T.TENSOR, t: tensorProto({ name: "", ...v.tensor }) };
      }
      return { name, type: T.STRING, s: new TextEncoder().encode(v) };
    };
    const graph: onnxProto.onnx.IGraphProto = {
      name: this.name,
      node: this.nodes.map((n, i) => ({
        opType: n.op,
        ...(n.domain ? { domain: n.domain } : {}),
        name: `n${i}`,
        input: n.inputs.map((t) => (t ? t.name : "")),
        output: n.outputs.map((t) => t.name),
        attribute: Object.entries(n.attrs).map(([k, v]) => attr(k, v)),
      })),
      input: this.inputs.map(valueInfo),
      output: this.outputs.map(valueInfo),
      initializer: this.inits.map(tensorProto),
    };
    const model: onnxProto.onnx.IModelProto = {
      irVersion: 8,
      producerName: "urlvr-lab",
      opsetImport: [
        { domain: "", version: OPSET },
        ...(this.nodes.some((n) => n.domain === MS_DOMAIN) ? [{ domain: MS_DOMAIN, version: 1 }] : []),
      ],
      graph,
    };
    return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
  }
}

function tensorProto(init: Initializer): onnxProto.onnx.ITensorProto {
  let raw: Uint8Array;
  if (init.dtype === "float32") raw = new Uint8Array(Float32Array.from(init.data).buffer);
  else if (init.dtype === "float64") raw = new Uint8Array(Float64Array.from(init.data).buffer);
  else if (init.dtype === "int64") raw = new Uint8Array(BigInt64Array.from(init.data.map((v) => BigInt(v))).buffer);
  else raw = Uint8Array.from(init.data.map((v) => (v ? 1 : 0)));
  return { name: init.name, dataType: DTYPE_CODE[init.dtype], dims: init.dims, rawData: raw };
}
