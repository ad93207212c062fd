// Held-out evaluation of a policy, every figure with its standard error over prompts:
// - accuracy (the primary figure, the paper's avg@k): mean correctness of k samples per prompt at
//   the evaluation temperature and top-p. It measures the sampling distribution, which is what
//   GRPO changes; greedy decoding can hide a gain (or a loss) of that distribution;
// - greedy accuracy beside it; pass@k (unbiased) and maj@k from the same k samples.
// A response cut off without EOS has no answer (rollouts.ts). Used for val/* during training; the
// static evaluation of base models (static-eval.ts) shares its greedy pass.
import type { Params } from "../model/config";
import type { TrainingPolicy } from "../model/policy-pool";
import type { Problem, Task } from "../tasks/task";
import { majAtK, passAtK } from "../metrics/sampling";
import { METRICS } from "../metrics/metric-names";
import { mean, standardError } from "../stats/summary";
import type { Rng } from "../util/rng";
import { sampleGroups } from "./rollouts";

/** Sequences per sampling call: bounds the KV cache of a large evaluation. */
export const EVAL_CHUNK = 1024;

export interface Estimate {
  value: number;
  /** Standard error over prompts (NaN below two prompts). */
  se: number;
}

export interface Evaluation {
  prompts: number;
  k: number;
  accuracy: Estimate;
  greedyAccuracy: Estimate;
  passAtK: Estimate;
  majAtK: Estimate;
}

export interface EvalSettings {
  k: number;
  temperature: number;
  topP: number;
  maxNewTokens: number;
  rng: Rng;
  /** Called after each sampling call (up to EVAL_CHUNK sequences): progress for a watchdog. */
  onChunk?: () => void;
}

const estimate = (perPrompt: number[]): Estimate => ({ value: mean(perPrompt), se: standardError(perPrompt) });

/** Per-prompt correctness (0 or 1) of the greedy (temperature 0) response. */
export async function greedyCorrectness(
  policy: TrainingPolicy,
  params: Params,
  task: Task,
  problems: readonly Problem[],
  o: { maxNewTokens: number; rng: Rng; onChunk?: () => void },
): Promise<number[]> {
  const out: number[] = [];
  for (let start = 0; start < problems.length; start += EVAL_CHUNK) {
    const greedy = await sampleGroups(policy, params, task, problems.slice(start, start + EVAL_CHUNK), {
      groupSize: 1, temperature: 0, topP: 1, maxNewTokens: o.maxNewTokens, rng: o.rng,
    });
    for (const r of greedy) out.push(r.correct ? 1 : 0);
    o.onChunk?.();
  }
  return out;
}

export async function evaluatePolicy(policy: TrainingPolicy, params: Params, task: Task, problems: readonly Problem[], o: EvalSettings): Promise<Evaluation> {
  const greedy = await greedyCorrectness(policy, params, task, problems, o);
  const acc: number[] = [], pass: number[] = [], maj: number[] = [];
  const perChunk = Math.max(1, Math.floor(EVAL_CHUNK / o.k));
  for (let start = 0; start < problems.length; start += perChunk) {
    const chunk = problems.slice(start, start + perChunk);
    const samples = await sampleGroups(policy, params, task, chunk, {
      groupSize: o.k, temperature: o.temperature, topP: o.topP, maxNewTokens: o.maxNewTokens, rng: o.rng,
    });
    for (let i = 0; i < chunk.length; i++) {
      const group = samples.slice(i * o.k, (i + 1) * o.k);
      const c = group.filter((r) => r.correct).length;
      acc.push(c / o.k);
      pass.push(passAtK(o.k, c, o.k));
      maj.push(majAtK(group, o.k));
    }
    o.onChunk?.();
  }
  return { prompts: problems.length, k: o.k, accuracy: estimate(acc), greedyAccuracy: estimate(greedy), passAtK: estimate(pass), majAtK: estimate(maj) };
}

/** An evaluation as val/* metrics (each with its _se twin, and the number of prompts). */
export function evaluationMetrics(e: Evaluation): Record<string, number> {
  const m: Record<string, number> = { [METRICS.valPrompts]: e.prompts };
  const put = (key: string, x: Estimate) => {
    m[key] = x.value;
    m[`${key}_se`] = x.se;
  };
  put(METRICS.valAccuracy, e.accuracy);
  put(METRICS.valGreedyAccuracy, e.greedyAccuracy);
  put(METRICS.valPassAtK, e.passAtK);
  put(METRICS.valMajAtK, e.majAtK);
  return m;
}
