// onnxruntime-node session helpers: one place that knows execution providers, threads, and how
// host arrays become ort tensors (weights are fed as graph inputs on every run).

import * as ort from "onnxruntime-node";
import type { DType } from "./graph";

export type Device = "cpu" | "webgpu";

export interface SessionOptions {
  device?: Device;
  /**
   * Intra-op threads; default: onnxruntime's choice (all cores). One thread can be faster while
   * other processes load the machine (a parallel op waits for its slowest thread); two were faster
   * on a quiet 2-core machine (see `npm run bench:engine -- --threads`).
   */
  threads?: number;
  /**
   * Let idle pool threads spin. Off by default: with several runs sharing two cores, spinning
   * threads steal time from the busy ones (measured: lower wall and CPU time without it there).
   */
  spinning?: boolean;
  /**
   * onnxruntime's log severity for this session (0 verbose ... 4 fatal; default: onnxruntime's, 2).
   * At 0 the session reports on stderr which execution provider each node was placed on, which is
   * how the device diagnostic (runner/engine/device) finds the nodes that fall back to the CPU.
   */
  logSeverity?: 0 | 1 | 2 | 3 | 4;
  /**
   * Outputs a GPU provider should leave in device memory (returned as 'gpu-buffer' tensors, which
   * later calls take as inputs without a copy; free them with dispose()). Ignored on the CPU.
   * Reading such a tensor's data on the host aborts the process in onnxruntime-node 1.30 (its
   * download() throws a C string), so only feed them back.
   */
  keptOnDevice?: string[];
}

/** The onnxruntime session options for a device; exported so tests can check the plumbing. */
export function ortSessionOptions(opts: SessionOptions = {}): ort.InferenceSession.SessionOptions {
  const o: ort.InferenceSession.SessionOptions = {
    executionProviders: [opts.device ?? "cpu"],
    graphOptimizationLevel: "all",
    // Independent branches run one after another: the parallel mode (two inter-op threads, one
    // intra-op thread each) made bench:engine's iteration slower (0.69-0.75 s against 0.54-0.63 s).
    interOpNumThreads: 1,
    executionMode: "sequential",
  };
  if (opts.threads !== undefined) o.intraOpNumThreads = opts.threads;
  if (opts.logSeverity !== undefined) {
    o.logSeverityLevel = opts.logSeverity;
    o.logVerbosityLevel = 0;
  }
  if (opts.device === "webgpu" && opts.keptOnDevice?.length) {
    o.preferredOutputLocation = Object.fromEntries(opts.keptOnDevice.map((name) => [name, "gpu-buffer" as const]));
  }
  if (!opts.spinning) o.extra = { session: { intra_op: { allow_spinning: "0" } } };
  return o;
}

export async function createSession(model: Uint8Array, opts: SessionOptions = {}): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(model, ortSessionOptions(opts));
  } catch (e) {
    // onnxruntime's message starts with a source path and a C++ lambda; the cause (no Vulkan
    // loader, no driver) only reaches stderr, which the device diagnostic reads.
    const m = e instanceof Error ? e.message : String(e);
    const adapter = /Failed to get a WebGPU adapter[^\n]*/.exec(m);
    if (opts.device === "webgpu" && adapter) {
      throw new Error(`webgpu: ${adapter[0]} (\`npm run device -- --device webgpu\` tells why)`, { cause: e });
    }
    throw e;
  }
}

/** A host array as an ort tensor of `dtype` (copies only when the element type differs). */
export function toOrt(dtype: DType, data: ArrayLike<number>, dims: number[]): ort.Tensor {
  switch (dtype) {
    case "float32":
      return new ort.Tensor("float32", data instanceof Float32Array ? data : Float32Array.from(data), dims);
    case "float64":
      return new ort.Tensor("float64", data instanceof Float64Array ? data : Float64Array.from(data), dims);
    case "int64": {
      const b = new BigInt64Array(data.length);
      for (let i = 0; i < data.length; i++) b[i] = BigInt(data[i]);
      return new ort.Tensor("int64", b, dims);
    }
    case "bool":
      return new ort.Tensor("bool", Uint8Array.from(data, (v) => (v ? 1 : 0)), dims);
  }
}

/** An ort tensor's data as numbers (float32/float64 arrays pass through; int64 converts). */
export function fromOrt(t: ort.Tensor): Float32Array | Float64Array {
  const d = t.data;
  if (d instanceof Float32Array || d instanceof Float64Array) return d;
  if (d instanceof BigInt64Array) return Float64Array.from(d, (v) => Number(v));
  return Float64Array.from(d as ArrayLike<number>);
}

export { ort };
