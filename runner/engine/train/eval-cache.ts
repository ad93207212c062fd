// The step-0 evaluation of a base model under one evaluation protocol is the same for every run
// that shares them (validation draws its samples from a stream of the fixed data seed, not the
// run's seed), so it is computed once and reused: the biggest single evaluation of a run, about as
// long as a few dozen training steps on the default model.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sha256Hex } from "../util/checksum";

export interface EvalCache {
  get(key: string): Record<string, number> | undefined;
  put(key: string, metrics: Record<string, number>): void;
}

/** Everything the step-0 figures depend on; the engine version marks changes of the evaluation itself. */
export interface EvalCacheKey {
  weightsSha256: string;
  task: string;
  difficulty: number;
  prompts: number;
  k: number;
  temperature: number;
  topP: number;
  maxNewTokens: number;
  device: string;
  /** Worker threads split the samples over other streams (model/policy-pool.ts). */
  workers: number;
}

/** Bump when the evaluation's procedure or numbers change, so no stale figure is reused. */
const EVALUATION_VERSION = 1;

export function evalCacheKey(k: EvalCacheKey): string {
  return sha256Hex(JSON.stringify({ v: EVALUATION_VERSION, ...k }));
}

export const DEFAULT_EVAL_CACHE_DIR = fileURLToPath(new URL("../../../.data/eval-cache/", import.meta.url));

/**
 * One JSON file per key. Written to a temporary name and renamed, so concurrent runs on one machine
 * never read a half-written file; an unreadable file is a miss (it is computed again).
 */
export function fileEvalCache(dir: string = DEFAULT_EVAL_CACHE_DIR): EvalCache {
  const file = (key: string) => path.join(dir, `${key}.json`);
  return {
    get(key) {
      try {
        const v = JSON.parse(readFileSync(file(key), "utf8")) as unknown;
        if (!v || typeof v !== "object") return undefined;
        const out: Record<string, number> = {};
        for (const [k, x] of Object.entries(v)) {
          // JSON has no NaN: a standard error of a single prompt is stored as null.
          if (typeof x === "number") out[k] = x;
          else if (x === null) out[k] = Number.NaN;
          else return undefined;
        }
        return out;
      } catch {
        return undefined;
      }
    },
    put(key, metrics) {
      mkdirSync(dir, { recursive: true });
      const tmp = `${file(key)}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(metrics));
      renameSync(tmp, file(key));
    },
  };
}
