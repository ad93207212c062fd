import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type ModelConfig, type Params, paramCount, paramShapes } from "../model/config";
import { ALPHABET, VOCAB_SIZE } from "../tasks/tokenizer";
import { sha256Hex } from "../util/checksum";
import { Rng } from "../util/rng";
import { MANIFEST_FILE, WEIGHTS_FILE, readManifest, readModelDir, rewriteEvaluation, writeModelDir } from "./manifest";
import { encodeWeights } from "./weights";

const config: ModelConfig = { vocabSize: VOCAB_SIZE, context: 16, width: 8, depth: 2, heads: 2 };

function randomParams(seed: number): Params {
  const rng = new Rng(seed);
  return new Map(
    paramShapes(config).map(([name, shape]) => [name, Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal())]),
  );
}

function makeDir(): { dir: string; params: Params } {
  const dir = mkdtempSync(join(tmpdir(), "model-"));
  const params = randomParams(1);
  writeModelDir(dir, {
    config,
    params,
    provenance: { command: "npx tsx runner/engine/cli/pretrain.ts --seed 3", seed: 3, details: { steps: 10 } },
  });
  return { dir, params };
}

describe("model directory", () => {
  it("writes a manifest describing the weights and reads the params back exactly", () => {
    const { dir, params } = makeDir();
    const m = readManifest(dir);
    expect(m.architecture).toEqual(config);
    expect(m.tokenizer).toEqual({ alphabet: ALPHABET, vocabSize: VOCAB_SIZE, pad: 0, bos: 1, eos: 2 });
    expect(m.parameterCount).toBe(paramCount(config));
    expect(m.provenance.seed).toBe(3);
    expect(Number.isNaN(Date.parse(m.provenance.createdAt))).toBe(false);
    const back = readModelDir(dir);
    expect([...back.params.keys()]).toEqual(paramShapes(config).map(([n]) => n));
    for (const [name, data] of params) expect([...back.params.get(name)!]).toEqual([...data]);
  });

  it("refuses a corrupted weights file", () => {
    const { dir } = makeDir();
    const path = join(dir, WEIGHTS_FILE);
    const bytes = readFileSync(path);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(path, bytes);
    expect(() => readModelDir(dir)).toThrow(/checksum mismatch/);
  });

  it("refuses manifests that do not match their weights or this engine", () => {
    const { dir } = makeDir();
    const mpath = join(dir, MANIFEST_FILE);
    const original = JSON.parse(readFileSync(mpath, "utf8"));
    const write = (m: unknown) => writeFileSync(mpath, JSON.stringify(m));

    write({ ...original, parameterCount: 5 });
    expect(() => readManifest(dir)).toThrow(/parameterCount 5/);
    write({ ...original, tokenizer: { ...original.tokenizer, alphabet: "0123" } });
    expect(() => readManifest(dir)).toThrow(/different tokenizer/);
    write({ ...original, weights: { ...original.weights, sha256: "xyz" } });
    expect(() => readManifest(dir)).toThrow(/weights\.sha256/);
    const { provenance: _p, ...noProvenance } = original;
    write(noProvenance);
    expect(() => readManifest(dir)).toThrow(/provenance/);
    writeFileSync(mpath, "{");
    expect(() => readManifest(dir)).toThrow(/cannot read manifest\.json/);

    // Weights of another architecture under a matching checksum: shapes are still checked.
    const other: ModelConfig = { ...config, width: 4 };
    const otherBytes = encodeWeights(paramShapes(other).map(([name, shape]) => ({ name, shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) })));
    writeFileSync(join(dir, WEIGHTS_FILE), otherBytes);
    write({ ...original, weights: { ...original.weights, sha256: sha256Hex(otherBytes), bytes: otherBytes.length } });
    expect(() => readModelDir(dir)).toThrow(/shape/);
  });

  it("rewrites the evaluation alone, and only beside the weights it measured", () => {
    const { dir } = makeDir();
    const path = join(dir, MANIFEST_FILE);
    const raw = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    writeFileSync(path, JSON.stringify({ ...raw, evaluation: { k: 8, passAtK: 0.5 }, notes: "kept" }, null, 2));
    const sha256 = readManifest(dir).weights.sha256;
    const m = rewriteEvaluation(dir, { k: 64, passAtK: 0.75 }, { sha256 });
    expect(m.evaluation).toEqual({ k: 64, passAtK: 0.75 });
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({ ...raw, evaluation: { k: 64, passAtK: 0.75 }, notes: "kept" });
    expect(() => rewriteEvaluation(dir, { k: 1 }, { sha256: "0".repeat(64) })).toThrow(/weights changed while being evaluated/);
    expect(readManifest(dir).evaluation).toEqual({ k: 64, passAtK: 0.75 });
  });

  it("refuses to write params that do not fit the config", () => {
    const dir = mkdtempSync(join(tmpdir(), "model-"));
    const params = randomParams(2);
    params.delete("head");
    expect(() => writeModelDir(dir, { config, params, provenance: { command: "x", seed: 0 } })).toThrow(/expected|missing/);
    expect(() => writeModelDir(dir, { config: { ...config, vocabSize: 10 }, params: randomParams(2), provenance: { command: "x", seed: 0 } })).toThrow(
      /vocabSize/,
    );
  });
});
