// Next-token choice from one row of logits on the host: temperature, nucleus (top-p), and one seeded
// uniform draw per token, with the drawn token's statistics under the distribution it was drawn
// from, in the same pass over the row. The distribution is softmax(logits / temperature) over the
// tokens the sampler can draw (UNSAMPLED excluded: see config.ts): what the scorer's policyStats
// (graphs.ts) computes. As in verl and vLLM, top-p only decides which tokens are drawn; it is not
// part of the distribution the statistics describe (a ratio over a truncated support would be
// undefined for tokens the updated policy moves in or out of the nucleus).

import { UNSAMPLED, type UniformSource } from "./config";

export interface DrawnToken {
  token: number;
  /** log p(token). */
  logprob: number;
  /** H(p). */
  entropy: number;
  /** KL(U || p), U uniform over the support. */
  selfCertainty: number;
}

export class TokenDrawer {
  /** Support token ids, ascending. */
  private readonly support: Int32Array;
  private readonly z: Float64Array;
  private readonly e: Float64Array;
  private readonly order: number[] = [];

  constructor(readonly vocabSize: number) {
    const ids: number[] = [];
    for (let v = 0; v < vocabSize; v++) if (!UNSAMPLED.includes(v)) ids.push(v);
    this.support = Int32Array.from(ids);
    this.z = new Float64Array(ids.length);
    this.e = new Float64Array(ids.length);
  }

  /**
   * Draws from row `logits[offset .. offset + V)`. Temperature 0 is greedy (the argmax, no draw);
   * its statistics are then those of temperature 1.
   */
  draw(logits: ArrayLike<number>, offset: number, temperature: number, topP: number, rng: UniformSource, out: DrawnToken): void {
    const S = this.support.length, z = this.z, e = this.e, ids = this.support;
    const greedy = temperature <= 0;
    const inv = greedy ? 1 : 1 / temperature;
    let max = -Infinity, arg = 0;
    for (let i = 0; i < S; i++) {
      const x = logits[offset + ids[i]!]! * inv;
      z[i] = x;
      if (x > max) {
        max = x;
        arg = i;
      }
    }
    let total = 0, sumZ = 0, sumEZ = 0;
    for (let i = 0; i < S; i++) {
      const d = z[i]! - max;
      const x = Math.exp(d);
      e[i] = x;
      total += x;
      sumZ += d;
      sumEZ += x * d;
    }
    const logZ = Math.log(total); // log-normalizer relative to max
    const pick = greedy ? arg : this.pick(total, topP, rng);
    out.token = ids[pick]!;
    out.logprob = z[pick]! - max - logZ;
    out.entropy = logZ - sumEZ / total;
    out.selfCertainty = logZ - sumZ / S - Math.log(S);
  }

  /** Index into the support of one draw from the weights e (total their sum), within the nucleus. */
  private pick(total: number, topP: number, rng: UniformSource): number {
    const S = this.support.length, e = this.e;
    if (topP >= 1) {
      let u = rng.next() * total;
      let last = 0;
      for (let i = 0; i < S; i++) {
        if (e[i] === 0) continue;
        last = i;
        u -= e[i]!;
        if (u < 0) return i;
      }
      return last;
    }
    const order = this.order;
    order.length = 0;
    for (let i = 0; i < S; i++) order.push(i);
    order.sort((a, b) => e[b]! - e[a]! || a - b);
    let acc = 0, n = 0;
    while (n < S && acc < topP * total) acc += e[order[n++]!]!;
    n = Math.max(n, 1);
    let u = rng.next() * acc;
    for (let i = 0; i < n; i++) {
      u -= e[order[i]!]!;
      if (u < 0) return order[i]!;
    }
    return order[n - 1]!;
  }
}
