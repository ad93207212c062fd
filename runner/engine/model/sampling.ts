// Next-token choice from one row of logits on the host: temperature, nucleus (top-p), and one
// seeded uniform draw per token. PAD and BOS are never sampled: the graphs treat PAD as absent, so
// a sampled PAD would silently vanish from the context when the sequence is scored later.

import { BOS, PAD, type UniformSource } from "./config";

let scratch = new Float64Array(0);
let order: number[] = [];

export function sampleToken(logits: ArrayLike<number>, offset: number, V: number, temperature: number, topP: number, rng: UniformSource): number {
  if (temperature <= 0) {
    let best = -1;
    for (let v = 0; v < V; v++) if (v !== PAD && v !== BOS && (best < 0 || logits[offset + v] > logits[offset + best])) best = v;
    return best;
  }
  if (scratch.length < V) scratch = new Float64Array(V);
  const probs = scratch;
  let max = -Infinity;
  for (let v = 0; v < V; v++) if (v !== PAD && v !== BOS && logits[offset + v] > max) max = logits[offset + v];
  let total = 0;
  for (let v = 0; v < V; v++) {
    probs[v] = v === PAD || v === BOS ? 0 : Math.exp((logits[offset + v] - max) / temperature);
    total += probs[v];
  }
  if (topP >= 1) {
    let u = rng.next() * total;
    let last = -1;
    for (let v = 0; v < V; v++) {
      if (probs[v] === 0) continue;
      last = v;
      u -= probs[v];
      if (u < 0) return v;
    }
    return last;
  }
  order.length = 0;
  for (let v = 0; v < V; v++) if (v !== PAD && v !== BOS) order.push(v);
  order.sort((a, b) => probs[b] - probs[a] || a - b);
  let acc = 0;
  let n = 0;
  while (n < order.length && acc < topP * total) acc += probs[order[n++]];
  n = Math.max(n, 1);
  let u = rng.next() * acc;
  for (let i = 0; i < n; i++) {
    u -= probs[order[i]];
    if (u < 0) return order[i];
  }
  return order[n - 1];
}
