// Next-token choice from one row of logits on the host: temperature, nucleus (top-p), and one
// seeded uniform draw per token. PAD and BOS are never sampled: the graphs treat PAD as absent, so
// a sampled PAD would silently vanish from the context when the sequence is scored later.

import { BOS, PAD, UNSAMPLED, type UniformSource } from "./config";

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

/**
 * Log-prob of `token`, entropy and self-certainty KL(U || p) of softmax(logits / temperature) over
 * the sampler's support (UNSAMPLED excluded, U uniform over the rest): the scorer's policyStats
 * (graphs.ts) for one drawn token, computed in float64 from the logits the sampler drew it with.
 * Top-p is not part of the distribution here either (see policyStats).
 */
export function drawnTokenStats(logits: ArrayLike<number>, offset: number, V: number, temperature: number, token: number): { logprob: number; entropy: number; selfCertainty: number } {
  let max = -Infinity;
  for (let v = 0; v < V; v++) if (!UNSAMPLED.includes(v) && logits[offset + v] / temperature > max) max = logits[offset + v] / temperature;
  let total = 0;
  for (let v = 0; v < V; v++) if (!UNSAMPLED.includes(v)) total += Math.exp(logits[offset + v] / temperature - max);
  const logZ = max + Math.log(total);
  let entropy = 0, sumLog = 0;
  for (let v = 0; v < V; v++) {
    if (UNSAMPLED.includes(v)) continue;
    const lp = logits[offset + v] / temperature - logZ;
    entropy -= Math.exp(lp) * lp;
    sumLog += lp;
  }
  const support = V - UNSAMPLED.length;
  return { logprob: logits[offset + token] / temperature - logZ, entropy, selfCertainty: -sumLog / support - Math.log(support) };
}
