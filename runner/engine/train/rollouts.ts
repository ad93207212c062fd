// One batch of rollouts: sample N responses per prompt, read their answers, and keep each response
// token's log-prob, entropy and self-certainty from the distribution it was drawn from.
// Legend: P prompts per step, G rollouts per prompt (group), rows are group-major (prompt i owns
// rows i*G .. i*G+G-1).
import type { Params } from "../model/config";
import type { TokenScores } from "../model/policy";
import type { TrainingPolicy } from "../model/policy-pool";
import type { Problem, Task } from "../tasks/task";
import { VERIFY_YES } from "../tasks/task";
import { EOS, decode, encode, encodePrompt } from "../tasks/tokenizer";
import type { UniformSource } from "../model/config";

export interface Rollout {
  problem: Problem;
  /** BOS + prompt characters. */
  prompt: number[];
  /** Sampled tokens, EOS included when emitted. */
  response: number[];
  /**
   * True when the response ended without EOS (at maxNewTokens or the context limit): cut off, it
   * has no answer, whatever its text would parse as (verl's response/clip_ratio counts these).
   */
  truncated: boolean;
  answer: string | null;
  correct: boolean;
  /** Per response token, under the sampling distribution (Policy.sample). */
  scores: TokenScores;
}

export interface SampleSettings {
  groupSize: number;
  temperature: number;
  topP: number;
  maxNewTokens: number;
  rng: UniformSource;
}

/** Samples `groupSize` responses for each problem; answers are checked by the task's verifier. */
export async function sampleGroups(
  policy: TrainingPolicy,
  params: Params,
  task: Task,
  problems: readonly Problem[],
  s: SampleSettings,
): Promise<Rollout[]> {
  const prompts = problems.flatMap((p) => Array.from({ length: s.groupSize }, () => encodePrompt(p.prompt)));
  const { tokens, scores } = await policy.sample(params, prompts, s);
  return tokens.map((response, i) => {
    const problem = problems[Math.floor(i / s.groupSize)]!;
    const truncated = response[response.length - 1] !== EOS;
    const answer = truncated ? null : task.extractAnswer(decode(response));
    return { problem, prompt: prompts[i]!, response, truncated, answer, correct: task.isCorrect(problem, answer), scores: scores[i]! };
  });
}

export const sequenceOf = (r: { prompt: number[]; response: number[] }) => [...r.prompt, ...r.response];


/**
 * P("Y") of the policy when asked to verify each distinct (prompt, answer) by its own computation
 * (`VERIFY ...?`); rollouts without an answer get no probability.
 */
export async function verificationProbabilities(
  policy: TrainingPolicy,
  params: Params,
  task: Task,
  rollouts: ReadonlyArray<{ problem: Problem; answer: string | null }>,
): Promise<Array<number | undefined>> {
  const keyOf = (r: { problem: Problem; answer: string | null }) => `${r.problem.id}\u0000${r.answer}`;
  const unique = new Map<string, number[]>();
  for (const r of rollouts) {
    if (r.answer === null || unique.has(keyOf(r))) continue;
    unique.set(keyOf(r), [...encodePrompt(task.verificationPrompt(r.problem, r.answer)), ...encode(VERIFY_YES)]);
  }
  const seqs = [...unique.values()];
  const probs = new Map<string, number>();
  if (seqs.length > 0) {
    const scores = await policy.score(params, seqs, seqs.map((s) => s.length - 1));
    [...unique.keys()].forEach((k, i) => probs.set(k, Math.exp(scores[i]!.logprob[0]!)));
  }
  return rollouts.map((r) => (r.answer === null ? undefined : probs.get(keyOf(r))));
}
