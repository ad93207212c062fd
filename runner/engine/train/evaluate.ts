// Held-out evaluation of a policy: greedy accuracy, and pass@k / maj@k from k samples per prompt.
// Used for val/* metrics during training; the static evaluation of base models (static-eval.ts)
// shares its greedy pass.
import type { Params } from "../model/config";
import type { Policy } from "../model/policy";
import type { Problem, Task } from "../tasks/task";
import { majAtK, passAtK } from "../metrics/sampling";
import type { Rng } from "../util/rng";
import { sampleGroups } from "./rollouts";

export interface Evaluation {
  accuracy: number;
  passAtK: number;
  majAtK: number;
  k: number;
}

/** Share of problems whose greedy (temperature 0) response is correct; 0 for no problems. */
export async function greedyAccuracy(
  policy: Policy,
  params: Params,
  task: Task,
  problems: readonly Problem[],
  o: { maxNewTokens: number; rng: Rng },
): Promise<number> {
  const greedy = await sampleGroups(policy, params, task, problems, {
    groupSize: 1, temperature: 0, topP: 1, maxNewTokens: o.maxNewTokens, rng: o.rng,
  });
  return greedy.filter((r) => r.correct).length / Math.max(problems.length, 1);
}

export async function evaluatePolicy(
  policy: Policy,
  params: Params,
  task: Task,
  problems: readonly Problem[],
  o: { k: number; maxNewTokens: number; rng: Rng; temperature?: number },
): Promise<Evaluation> {
  const accuracy = await greedyAccuracy(policy, params, task, problems, o);
  const samples = await sampleGroups(policy, params, task, problems, {
    groupSize: o.k, temperature: o.temperature ?? 1, topP: 1, maxNewTokens: o.maxNewTokens, rng: o.rng,
  });
  let pass = 0;
  let maj = 0;
  for (let i = 0; i < problems.length; i++) {
    const group = samples.slice(i * o.k, (i + 1) * o.k);
    pass += passAtK(o.k, group.filter((r) => r.correct).length, o.k);
    maj += majAtK(group, o.k);
  }
  const n = Math.max(problems.length, 1);
  return { accuracy, passAtK: pass / n, majAtK: maj / n, k: o.k };
}
