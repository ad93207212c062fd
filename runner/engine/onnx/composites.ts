// Building blocks emitted as several ONNX nodes but differentiated as one (Graph.markComposite),
// because the gradient written by hand is far shorter than the chain of primitive VJPs.

import { type Graph, MS_DOMAIN, type Tensor } from "./graph";

const A = 0.044715;
const C = Math.sqrt(2 / Math.PI);

/**
 * GPT-2's tanh GELU: x * 0.5 (1 + tanh(c x (1 + a x^2))). (Erf-based Gelu has no float64 kernel.)
 * d/dx = 0.5 (1 + t) + x (1 - t^2) (0.5 c + 1.5 a c x^2), with t and x^2 reused from the forward.
 *
 * float32 graphs run the forward as onnxruntime's fused FastGelu (com.microsoft; the same formula,
 * one pass over the tensor instead of eight; its CPU kernel has no float64 version) and the backward
 * recomputes t from x. float64 graphs (gradient checks) emit the primitive chain.
 */
export function gelu(g: Graph, x: Tensor): Tensor {
  if (g.float === "float32" && x.dtype === "float32") {
    const y = g.emit("FastGelu", [x], {}, [{ dtype: x.dtype, shape: x.shape }])[0];
    y.producer!.domain = MS_DOMAIN;
    g.markComposite(y, [x], (g, [dy]) => {
      const x2 = g.mul(x, x);
      const t = g.tanh(g.mul(x, g.add(g.mul(x2, A * C), C)));
      const h = g.mul(g.add(t, 1), 0.5);
      const s = g.sub(1, g.mul(t, t));
      const p = g.add(g.mul(x2, 1.5 * A * C), 0.5 * C);
      return [g.mul(dy!, g.add(h, g.mul(g.mul(x, s), p)))];
    });
    return y;
  }
  const x2 = g.mul(x, x);
  const t = g.tanh(g.mul(x, g.add(g.mul(x2, A * C), C)));
  const h = g.mul(g.add(t, 1), 0.5);
  const y = g.mul(x, h);
  g.markComposite(y, [x], (g, [dy]) => {
    const s = g.sub(1, g.mul(t, t));
    const p = g.add(g.mul(x2, 1.5 * A * C), 0.5 * C);
    return [g.mul(dy!, g.add(h, g.mul(g.mul(x, s), p)))];
  });
  return y;
}
