// The static evaluation of a base model on held-out prompts, as its manifest records it: greedy
// accuracy, pass@k and maj@k for several k from one set of samples, the accuracy of single samples,
// and how well the model's self-certainty separates its right answers from its wrong ones (the
// confidence-correctness agreement that intrinsic rewards feed on).
import type { Params } from "../model/config";
import type { Policy } from "../model/policy";
import { auroc } from "../metrics/auroc";
import { majAtK, passAtK } from "../metrics/sampling";
import { selfCertainty } from "../rewards/methods";
import type { Problem, Task } from "../tasks/task";
import type { Rng } from "../util/rng";
import { bootstrap, resample } from "../stats/bootstrap";
import { mean, sampleSd, standardError } from "../stats/summary";
import { greedyCorrectness } from "./evaluate";
import { sampleGroups } from "./rollouts";

/** Sequences per sampling/scoring call: bounds the KV cache and the scorer's logits. */
export const STATIC_EVAL_CHUNK = 1024;

/** JSON-able (no NaN), so what pretraining returns is what manifest.json holds. */
export type StaticEvaluation = {
  prompts: number;
  greedyAccuracy: number;
  /** The headline k: the largest evaluated, with passAtK and majAtK at it. */
  k: number;
  passAtK: number;
  majAtK: number;
  /** pass@k for every evaluated k, keyed by k. */
  passAt: Record<string, number>;
  /** maj@k over each prompt's first k samples, keyed by k. */
  majAt: Record<string, number>;
  /** Mean correctness of all samples (temperature 1). */
  sampleAccuracy: number;
  /** AUROC of self-certainty for correctness, pooled over all samples; null when all or none are correct. */
  selfCertaintyAuroc: number | null;
  /** Responses sampled in all (prompts x k). */
  samples: number;
  /** Standard errors over prompts (null below two prompts): how reliably each figure ranks models. */
  greedyAccuracySe: number | null;
  sampleAccuracySe: number | null;
  /** Of pass@k - greedy accuracy (per prompt, paired), the headroom figure the leaderboard compares. */
  passAtKGainSe: number | null;
  /** Bootstrap over prompts (their samples together), AUROC_BOOTSTRAP replicates; null with the AUROC. */
  selfCertaintyAurocSe: number | null;
};

/** Replicates of the AUROC's bootstrap over prompts (each recomputes the AUROC of every sample). */
export const AUROC_BOOTSTRAP = 200;

export interface StaticEvalOptions {
  /** The k of pass@k / maj@k; max(ks) samples are drawn per prompt. */
  ks: readonly number[];
  maxNewTokens: number;
  rng: Rng;
  /** Sequences per sampling call (default STATIC_EVAL_CHUNK). */
  chunkSize?: number;
  /** Called after each chunk with the responses sampled so far and in all. */
  onProgress?: (done: number, total: number) => void;
}

export async function staticEvaluation(
  policy: Policy,
  params: Params,
  task: Task,
  problems: readonly Problem[],
  o: StaticEvalOptions,
): Promise<StaticEvaluation> {
  const ks = [...new Set(o.ks)].sort((a, b) => a - b);
  if (ks.length === 0 || ks.some((k) => !Number.isInteger(k) || k < 1)) {
    throw new Error(`static evaluation needs positive integer ks, got [${o.ks.join(", ")}]`);
  }
  const K = ks[ks.length - 1]!;
  const greedyPerPrompt = await greedyCorrectness(policy, params, task, problems, { maxNewTokens: o.maxNewTokens, rng: o.rng });
  const greedy = problems.length === 0 ? 0 : mean(greedyPerPrompt);
  const samplePerPrompt: number[] = [];
  const gainPerPrompt: number[] = [];

  const pass = ks.map(() => 0);
  const maj = ks.map(() => 0);
  const certainties: number[] = [];
  const correct: boolean[] = [];
  const perChunk = Math.max(1, Math.floor((o.chunkSize ?? STATIC_EVAL_CHUNK) / K));
  for (let start = 0; start < problems.length; start += perChunk) {
    const chunk = problems.slice(start, start + perChunk);
    const rollouts = await sampleGroups(policy, params, task, chunk, {
      groupSize: K, temperature: 1, topP: 1, maxNewTokens: o.maxNewTokens, rng: o.rng,
    });
    const certainty = selfCertainty(rollouts.map((r) => ({
      answer: r.answer,
      correct: r.correct,
      logprobs: r.scores.logprob,
      entropies: r.scores.entropy,
      selfCertainties: r.scores.selfCertainty,
    })));
    for (let p = 0; p < chunk.length; p++) {
      const group = rollouts.slice(p * K, (p + 1) * K);
      const c = group.filter((r) => r.correct).length;
      ks.forEach((k, j) => {
        pass[j]! += passAtK(K, c, k);
        maj[j]! += majAtK(group, k);
      });
      samplePerPrompt.push(c / K);
      gainPerPrompt.push(passAtK(K, c, K) - greedyPerPrompt[start + p]!);
    }
    rollouts.forEach((r, i) => {
      certainties.push(certainty[i]!);
      correct.push(r.correct);
    });
    o.onProgress?.(correct.length, problems.length * K);
  }

  const n = Math.max(problems.length, 1);
  const byK = (sums: number[]) => Object.fromEntries(ks.map((k, j) => [String(k), sums[j]! / n]));
  const sc = auroc(certainties, correct);
  const se = (xs: number[]) => {
    const v = standardError(xs);
    return Number.isFinite(v) ? v : null;
  };
  // Prompts resampled with their K samples each: the AUROC's error over the choice of prompts.
  const aurocReps = Number.isNaN(sc)
    ? []
    : bootstrap((rng) => {
        const idx = resample(problems.map((_, i) => i), rng);
        const scores = idx.flatMap((i) => certainties.slice(i * K, (i + 1) * K));
        const labels = idx.flatMap((i) => correct.slice(i * K, (i + 1) * K));
        return auroc(scores, labels);
      }, { seed: 1, name: "static-eval/auroc", replicates: AUROC_BOOTSTRAP });
  return {
    prompts: problems.length,
    greedyAccuracy: greedy,
    k: K,
    passAtK: pass[ks.length - 1]! / n,
    majAtK: maj[ks.length - 1]! / n,
    passAt: byK(pass),
    majAt: byK(maj),
    sampleAccuracy: correct.filter(Boolean).length / Math.max(correct.length, 1),
    selfCertaintyAuroc: Number.isNaN(sc) ? null : sc,
    samples: correct.length,
    greedyAccuracySe: se(greedyPerPrompt),
    sampleAccuracySe: se(samplePerPrompt),
    passAtKGainSe: se(gainPerPrompt),
    selfCertaintyAurocSe: aurocReps.length > 1 ? sampleSd(aurocReps) : null,
  };
}

/** One line of a manifest's evaluation for the commands' final message; old manifests lack some figures. */
export function describeStaticEvaluation(e: Record<string, unknown>): string {
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v.toFixed(3) : "n/a");
  const at = (m: unknown): Record<string, unknown> => (m && typeof m === "object" ? (m as Record<string, unknown>) : {});
  const passAt = at(e.passAt);
  const ks = Object.keys(passAt).length > 0 ? Object.keys(passAt) : typeof e.k === "number" ? [String(e.k)] : [];
  const parts = [`greedy ${num(e.greedyAccuracy)}`];
  for (const k of ks) parts.push(`pass@${k} ${num(passAt[k] ?? (String(e.k) === k ? e.passAtK : undefined))}`);
  parts.push(`maj@${e.k} ${num(e.majAtK)}`);
  if ("selfCertaintyAuroc" in e) parts.push(`self-certainty AUROC ${num(e.selfCertaintyAuroc)}`);
  return parts.join(", ");
}
