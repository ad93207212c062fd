/** Response repetition and the pass@k / maj@k estimators used by evaluation. */
import { majorityAnswer } from "../rewards/majority";

export const REPETITION_NGRAM = 4;

/**
 * Share of a response's n-grams that repeat an earlier n-gram: 1 - distinct / total. 0 for a
 * response shorter than n. Counts tokens (characters), so `11111111` scores 0.8 and a normal
 * scratchpad close to 0.
 */
export function repetitionRate(tokens: ArrayLike<number>, n: number = REPETITION_NGRAM): number {
  if (!Number.isInteger(n) || n < 1) throw new Error(`n-gram size must be a positive integer, got ${n}`);
  const total = tokens.length - n + 1;
  if (total <= 0) return 0;
  const seen = new Set<string>();
  for (let i = 0; i < total; i++) {
    let key = "";
    for (let j = 0; j < n; j++) key += `${tokens[i + j]},`;
    seen.add(key);
  }
  return 1 - seen.size / total;
}

/** response/repetition: mean repetitionRate over responses (NaN when there are none). */
export function meanRepetition(responses: readonly ArrayLike<number>[], n: number = REPETITION_NGRAM): number {
  if (responses.length === 0) return Number.NaN;
  let s = 0;
  for (const r of responses) s += repetitionRate(r, n);
  return s / responses.length;
}

/**
 * Unbiased pass@k of Chen et al. (2021) from n samples with c correct:
 * 1 - C(n-c, k) / C(n, k), computed as a stable product.
 */
export function passAtK(n: number, c: number, k: number): number {
  if (!(Number.isInteger(n) && Number.isInteger(c) && Number.isInteger(k)) || k < 1 || k > n || c < 0 || c > n) {
    throw new Error(`passAtK needs integers 0 <= c <= n and 1 <= k <= n, got n=${n} c=${c} k=${k}`);
  }
  if (n - c < k) return 1;
  let fail = 1;
  for (let i = n - c + 1; i <= n; i++) fail *= 1 - k / i;
  return 1 - fail;
}

/**
 * maj@k of one prompt: 1 when the majority of its first k answers (ties: first seen, nulls never
 * vote) is correct. The static evaluation draws max(ks) samples and reads maj@k of each k from the
 * first k of them.
 */
export function majAtK(samples: readonly { answer: string | null; correct: boolean }[], k: number): number {
  if (!Number.isInteger(k) || k < 1 || k > samples.length) {
    throw new Error(`majAtK needs 1 <= k <= ${samples.length}, got ${k}`);
  }
  const first = samples.slice(0, k);
  const maj = majorityAnswer(first.map((s) => s.answer));
  return maj !== null && first.some((s) => s.answer === maj.answer && s.correct) ? 1 : 0;
}
