// A Policy split over worker threads: each worker holds its own sessions (one intra-op thread each)
// and serves a contiguous slice of every batch, so both cores of a small machine work through the
// small kernels and the host-side sampling that one multi-threaded session leaves on one core.
// Sampling: the slices draw from streams forked from the caller's, one per slice. The update: each
// slice returns its unclipped gradient and the pool puts them together (batch-slices.ts).
//
// Deterministic for a seed and a worker count (the slices and their streams are fixed by both);
// another worker count samples other streams and sums gradients in another order.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { Rng } from "../util/rng";
import { mergeSlices, responseTokens, sliceBatch, slices } from "./batch-slices";
import { type ModelConfig, type Params, paramShapes } from "./config";
import type { KvCacheAt } from "./graphs";
import type { GrpoBatch, GrpoOptions, GrpoResult } from "./grpo-update";
import type { PolicyOptions, SampleOptions, TokenScores } from "./policy";
import type { PoolReply, PoolRequest, PoolWorkerData } from "./policy-worker";

/** What training asks of a policy, served by one Policy or by a PolicyPool. */
export interface TrainingPolicy {
  readonly config: ModelConfig;
  readonly kvCacheAt: KvCacheAt;
  sample(params: Params, prompts: ArrayLike<number>[], o: SampleOptions): Promise<{ tokens: number[][]; scores: TokenScores[] }>;
  score(params: Params, sequences: ArrayLike<number>[], responseStart: number[], temperature?: number): Promise<TokenScores[]>;
  grpoStep(params: Params, batch: GrpoBatch, o: GrpoOptions): Promise<GrpoResult>;
  release(): Promise<void>;
}

/**
 * tsx's ESM API by file URL (resolved by Node's own rules, which also work under vitest, whose module
 * runner has no import.meta.resolve; require's resolution names the CommonJS build, its ESM twin
 * sits beside it): its register() lets the thread import TypeScript.
 */
const TSX_API = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm/api").replace(/\.cjs$/, ".mjs")).href;

/** A worker thread on policy-worker.ts: a data: URL entry registers tsx, then imports the worker module. */
function startWorker(data: PoolWorkerData): Worker {
  const file = new URL("./policy-worker.ts", import.meta.url).href;
  const boot = `const { register } = await import(${JSON.stringify(TSX_API)}); register(); await import(${JSON.stringify(file)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), { workerData: data });
}

const toRows = (rows: ArrayLike<number>[]) => rows.map((r) => Array.from(r));

type Request = PoolRequest extends infer R ? (R extends { id: number } ? Omit<R, "id"> : never) : never;

export class PolicyPool implements TrainingPolicy {
  readonly kvCacheAt: KvCacheAt;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private readonly ready: Promise<void>;

  private constructor(readonly config: ModelConfig, private readonly workers: Worker[], options: PolicyOptions) {
    this.kvCacheAt = options.kvCache ?? (options.device === "webgpu" ? "device" : "host");
    this.ready = Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            w.once("error", reject);
            const onReady = (m: PoolReply) => {
              if (m.id === 0) {
                w.off("message", onReady);
                w.off("error", reject);
                resolve();
              }
            };
            w.on("message", onReady);
          }),
      ),
    ).then(() => {
      for (const w of workers) {
        w.on("message", (m: PoolReply) => {
          const p = this.pending.get(m.id);
          if (!p) return;
          this.pending.delete(m.id);
          if (m.ok) p.resolve(m.value);
          else p.reject(new Error(m.message));
        });
        w.on("error", (e) => this.failAll(e));
      }
    });
  }

  /** `workers` threads, each a Policy with `options` (one intra-op thread unless options.threads says otherwise). */
  static async create(config: ModelConfig, workers: number, options: PolicyOptions = {}): Promise<PolicyPool> {
    paramShapes(config); // validates the config early
    const data: PoolWorkerData = { config, options: { ...options, threads: options.threads ?? 1 } };
    const pool = new PolicyPool(config, Array.from({ length: workers }, () => startWorker(data)), options);
    await pool.ready;
    return pool;
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  private call<T>(worker: Worker, request: Request): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ ...request, id });
    });
  }

  async sample(params: Params, prompts: ArrayLike<number>[], o: SampleOptions): Promise<{ tokens: number[][]; scores: TokenScores[] }> {
    if (!(o.rng instanceof Rng)) throw new Error("a PolicyPool samples from streams forked from an Rng");
    const parts = slices(prompts.length, this.workers.length);
    // Forked in slice order before any work starts: the caller's stream advances the same way every time.
    const streams = parts.map((_, i) => (o.rng as Rng).fork(`pool/${i}`).getState());
    const done = await Promise.all(
      parts.map(([a, b], i) =>
        this.call<{ tokens: number[][]; scores: TokenScores[] }>(this.workers[i]!, {
          kind: "sample", params, prompts: toRows(prompts.slice(a, b)), temperature: o.temperature, topP: o.topP,
          maxNewTokens: o.maxNewTokens, ignoreEos: o.ignoreEos, rng: streams[i]!,
        }),
      ),
    );
    return { tokens: done.flatMap((d) => d.tokens), scores: done.flatMap((d) => d.scores) };
  }

  async score(params: Params, sequences: ArrayLike<number>[], responseStart: number[], temperature = 1): Promise<TokenScores[]> {
    const parts = slices(sequences.length, this.workers.length);
    const done = await Promise.all(
      parts.map(([a, b], i) =>
        this.call<TokenScores[]>(this.workers[i]!, { kind: "score", params, sequences: toRows(sequences.slice(a, b)), starts: responseStart.slice(a, b), temperature }),
      ),
    );
    return done.flat();
  }

  async grpoStep(params: Params, batch: GrpoBatch, o: GrpoOptions): Promise<GrpoResult> {
    const parts = slices(batch.tokens.length, this.workers.length);
    const results = await Promise.all(
      parts.map((part, i) => {
        const b = sliceBatch(batch, part);
        return this.call<GrpoResult>(this.workers[i]!, {
          kind: "grpo",
          params,
          batch: { tokens: toRows(b.tokens), responseMask: toRows(b.responseMask), oldLogprobs: toRows(b.oldLogprobs), refLogprobs: toRows(b.refLogprobs), advantages: Array.from(b.advantages) },
          // Clipping needs the whole batch's norm: the slices return their gradients unclipped.
          options: { ...o, maxGradNorm: Infinity },
        });
      }),
    );
    return mergeSlices(this.config, results, parts.map((part) => responseTokens(batch.responseMask, part)), o.maxGradNorm);
  }

  async release(): Promise<void> {
    await Promise.all(this.workers.map((w) => this.call(w, { kind: "release" }).catch(() => undefined)));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
