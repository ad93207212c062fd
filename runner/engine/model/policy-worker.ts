// One shard of a PolicyPool (policy-pool.ts): a worker thread holding its own Policy (its own
// onnxruntime sessions, one intra-op thread by default) that serves the pool's requests for a slice
// of the batch. Everything it returns is a copy or a transfer, never a view into a larger buffer
// (a view would clone its whole buffer across the thread boundary).
import { parentPort, workerData } from "node:worker_threads";
import { Rng } from "../util/rng";
import type { ModelConfig, Params } from "./config";
import type { GrpoBatch, GrpoOptions } from "./grpo-update";
import { createPolicySession, type PolicyOptions, type TokenScores } from "./policy";

export type PoolRequest =
  | { id: number; kind: "sample"; params: Params; prompts: number[][]; temperature: number; topP: number; maxNewTokens: number; ignoreEos?: boolean; rng: ReturnType<Rng["getState"]> }
  | { id: number; kind: "score"; params: Params; sequences: number[][]; starts: number[]; temperature: number }
  | { id: number; kind: "grpo"; params: Params; batch: GrpoBatch; options: GrpoOptions }
  | { id: number; kind: "release" };

export type PoolReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string };

export interface PoolWorkerData {
  config: ModelConfig;
  options: PolicyOptions;
}

const compact = (s: TokenScores): TokenScores => ({ logprob: s.logprob.slice(), entropy: s.entropy.slice(), selfCertainty: s.selfCertainty.slice() });

if (parentPort) {
  const port = parentPort;
  const { config, options } = workerData as PoolWorkerData;
  const policy = await createPolicySession(config, options);
  port.on("message", async (m: PoolRequest) => {
    try {
      switch (m.kind) {
        case "sample": {
          const { tokens, scores } = await policy.sample(m.params, m.prompts, {
            temperature: m.temperature, topP: m.topP, maxNewTokens: m.maxNewTokens, ignoreEos: m.ignoreEos, rng: Rng.fromState(m.rng),
          });
          port.postMessage({ id: m.id, ok: true, value: { tokens, scores: scores.map(compact) } } satisfies PoolReply);
          break;
        }
        case "score": {
          const scores = (await policy.score(m.params, m.sequences, m.starts, m.temperature)).map(compact);
          port.postMessage({ id: m.id, ok: true, value: scores } satisfies PoolReply);
          break;
        }
        case "grpo": {
          // Copied, not transferred: onnxruntime's output buffers are external and cannot be detached.
          const r = await policy.grpoStep(m.params, m.batch, m.options);
          port.postMessage({ id: m.id, ok: true, value: r } satisfies PoolReply);
          break;
        }
        case "release":
          await policy.release();
          port.postMessage({ id: m.id, ok: true, value: null } satisfies PoolReply);
          break;
      }
    } catch (e) {
      port.postMessage({ id: m.id, ok: false, message: e instanceof Error ? e.message : String(e) } satisfies PoolReply);
    }
  });
  port.postMessage({ id: 0, ok: true, value: "ready" } satisfies PoolReply);
}
