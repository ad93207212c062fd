// GPT-2 initialization: weights N(0, 0.02), residual projections N(0, 0.02/sqrt(2*depth)),
// biases 0, LayerNorm gain 1 / bias 0. Normals come from Box-Muller over the seeded source.

import { type ModelConfig, type Params, type UniformSource, numel, paramShapes } from "./config";

export function initParams(c: ModelConfig, rng: UniformSource): Params {
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const params: Params = new Map();
  for (const [name, dims] of paramShapes(c)) {
    const a = new Float32Array(numel(dims));
    const leaf = name.slice(name.lastIndexOf(".") + 1);
    if (name.endsWith(".g")) a.fill(1);
    else if (leaf.startsWith("b")) {
      // biases and LayerNorm shifts stay 0
    } else {
      const std = name.endsWith("attn.wo") || name.endsWith("mlp.wproj") ? 0.02 / Math.sqrt(2 * c.depth) : 0.02;
      for (let i = 0; i < a.length; i++) a[i] = std * normal();
    }
    params.set(name, a);
  }
  return params;
}
