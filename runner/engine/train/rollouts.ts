// One batch of rollouts: sample N responses per prompt, read their answers, and score every
// response token under the current policy and the frozen reference.
// Legend: P prompts per step, G rollouts per prompt (group), rows are group-major (prompt i owns
// rows i*G .. i*G+G-1).
import type { Params } from "../model/config";
import type { Policy, TokenScores } from "../model/policy";
import type { Problem, Task } from "../tasks/task";
import { VERIFY_YES } from "../tasks/task";
import { decode, encode, encodePrompt } from "../tasks/tokenizer";
import type { UniformSource } from "../model/config";

export interface Rollout {
  problem: Problem;
  /** BOS + prompt characters. */
  prompt: number[];
  /** Sampled tokens, EOS included when emitted. */
  response: number[];
  answer: string | null;
  correct: boolean;
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
  policy: Policy,
  params: Params,
  task: Task,
  problems: readonly Problem[],
  s: SampleSettings,
): Promise<Array<Omit<Rollout, "scores">>> {
  const prompts = problems.flatMap((p) => Array.from({ length: s.groupSize }, () => encodePrompt(p.prompt)));
  const { tokens } = await policy.sample(params, prompts, s);
  return tokens.map((response, i) => {
    const problem = problems[Math.floor(i / s.groupSize)]!;
    const answer = task.extractAnswer(decode(response));
    return { problem, prompt: prompts[i]!, response, answer, correct: task.isCorrect(problem, answer) };
  });
}

export const sequenceOf = (r: { prompt: number[]; response: number[] }) => [...r.prompt, ...r.response];

/** Per-token log-prob, entropy and self-certainty of each response (from `starts`) under `params`. */
export async function scoreResponses(policy: Policy, params: Params, sequences: number[][], starts: number[]): Promise<TokenScores[]> {
  return policy.score(params, sequences, starts);
}

/**
 * P("Y") of the policy when asked to verify each distinct (prompt, answer) by its own computation
 * (`VERIFY ...?`); rollouts without an answer get no probability.
 */
export async function verificationProbabilities(
  policy: Policy,
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
