// Building blocks emitted as several ONNX nodes but differentiated as one (Graph.markComposite),
// because the gradient written by hand is far shorter than the chain of primitive VJPs.

import type { Graph, Tensor } from "./graph";

const A = 0.044715;
const C = Math.sqrt(2 / Math.PI);

/**
 * GPT-2's tanh GELU: x * 0.5 (1 + tanh(c x (1 + a x^2))). (Erf-based Gelu has no float64 kernel.)
 * d/dx = 0.5 (1 + t) + x (1 - t^2) (0.5 c + 1.5 a c x^2), with t and x^2 reused from the forward.
 */
export function gelu(g: Graph, x: Tensor): Tensor {
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
