// What bounds a device's iteration, measured on its own kernels: the matrix-product rate onnxruntime
// reaches there at the GRPO update's largest shapes, and the fixed cost of one session run (every
// decode step is one). `npm run device -- --kernels`; bench/torch_matmul.py measures
// the same products in PyTorch on the same card.
//
// Legend: M rows (rollouts x sequence length), C width, F = 4C the MLP's hidden width.
import { Graph } from "../onnx/graph";
import { type Device, createSession, ort } from "../onnx/session";
import { GPU_SIZED } from "./transfers";

export interface KernelReport {
  device: Device;
  /** The MLP's two products, (M, C) x (C, F) then (M, F) x (F, C), `chain` times over in one run. */
  matmul: { M: number; C: number; F: number; chain: number; seconds: number; gflops: number };
  /** One run of a one-element Add: the floor under every call (a decode step is one call). */
  callSeconds: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed(run: () => Promise<unknown>, warmup: number, repeats: number): Promise<number> {
  for (let i = 0; i < warmup; i++) await run();
  const ts: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await run();
    ts.push((performance.now() - t0) / 1e3);
  }
  return median(ts);
}

/**
 * The product chain runs on inputs already on the device (uploaded once, as the sampler's weights
 * are) and returns one number, whose download waits for the GPU to finish: the time is the kernels'.
 */
export async function measureKernels(device: Device, rows = GPU_SIZED.rollouts * (1 + GPU_SIZED.promptLength + GPU_SIZED.newTokens)): Promise<KernelReport> {
  const C = GPU_SIZED.model.width, F = 4 * C, M = rows, chain = 4;
  const up = new Graph("float32", "upload");
  for (const [n, dims] of [["x", [M, C]], ["w1", [C, F]], ["w2", [F, C]]] as const) up.output(up.identity(up.input(n, "float32", [...dims])), `device.${n}`);
  const g = new Graph("float32", "matmul-chain");
  let y = g.input("x", "float32", [M, C]);
  const w1 = g.input("w1", "float32", [C, F]), w2 = g.input("w2", "float32", [F, C]);
  for (let i = 0; i < chain; i++) y = g.matmul(g.matmul(y, w1), w2);
  g.output(g.reduceSum(y, [0, 1], false), "sum");
  const [upload, product] = await Promise.all([
    createSession(up.toModelBytes(), { device, keptOnDevice: ["device.x", "device.w1", "device.w2"] }),
    createSession(g.toModelBytes(), { device }),
  ]);
  const rnd = (n: number, scale: number) => Float32Array.from({ length: n }, (_, i) => scale * Math.sin(i * 12.9898));
  const dev = await upload.run({
    x: new ort.Tensor("float32", rnd(M * C, 1), [M, C]),
    w1: new ort.Tensor("float32", rnd(C * F, 1 / Math.sqrt(C)), [C, F]),
    w2: new ort.Tensor("float32", rnd(F * C, 1 / Math.sqrt(F)), [F, C]),
  });
  const feeds = { x: dev["device.x"]!, w1: dev["device.w1"]!, w2: dev["device.w2"]! };
  const seconds = await timed(() => product.run(feeds), 2, 5);
  for (const t of Object.values(dev)) t.dispose();

  const tiny = new Graph("float32", "add");
  tiny.output(tiny.add(tiny.input("a", "float32", [1]), 1), "b");
  const add = await createSession(tiny.toModelBytes(), { device });
  const one = { a: new ort.Tensor("float32", new Float32Array([1]), [1]) };
  const callSeconds = await timed(() => add.run(one), 10, 50);
  await Promise.all([upload.release(), product.release(), add.release()]);
  return { device, matmul: { M, C, F, chain, seconds, gflops: (chain * 2 * 2 * M * C * F) / seconds / 1e9 }, callSeconds };
}

export function formatKernels(r: KernelReport): string[] {
  const m = r.matmul;
  return [
    `${r.device}: ${m.chain} x [(${m.M}, ${m.C}) x (${m.C}, ${m.F}), (${m.M}, ${m.F}) x (${m.F}, ${m.C})] float32 products in ${(m.seconds * 1e3).toFixed(1)} ms: ${m.gflops.toFixed(0)} GFLOP/s`,
    `${r.device}: one session run of a one-element Add: ${(r.callSeconds * 1e3).toFixed(3)} ms`,
  ];
}
