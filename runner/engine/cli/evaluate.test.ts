// `npm run evaluate` on a tiny real model: it reproduces the evaluation pretraining wrote, touches
// nothing but manifest.json's `evaluation`, and refuses bad input with one line.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tinyModel, type TinyModel } from "../train/tiny-model";

let tiny: TinyModel;
let scratch: string;

beforeAll(async () => {
  // evalK 4: the command below reproduces it with --k 4 (and, by default, the recorded 1 thread).
  tiny = await tinyModel("evaluate-cli", { steps: 400, evalK: 4, threads: 1 });
  scratch = mkdtempSync(path.join(os.tmpdir(), "urlvr-evaluate-cli-"));
});
afterAll(() => {
  tiny?.remove();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const run = (args: string[]) =>
  spawnSync("node_modules/.bin/tsx", ["runner/engine/cli/evaluate.ts", ...args], { encoding: "utf8", timeout: 120_000 });

/** A copy of the tiny model to modify. */
function copyOfTiny(name: string): string {
  const dir = path.join(scratch, name);
  cpSync(tiny.model, dir, { recursive: true });
  return dir;
}

describe("npm run evaluate", () => {
  it("rewrites only the evaluation, reproducing exactly what pretraining wrote", () => {
    const dir = copyOfTiny("stale");
    const original = readFileSync(path.join(dir, "manifest.json"), "utf8");
    const weights = readFileSync(path.join(dir, "weights.bin"));
    const stale = JSON.parse(original) as Record<string, unknown>;
    stale.evaluation = { prompts: 256, greedyAccuracy: 0.5, k: 8, passAtK: 0.9, majAtK: 0.6 };
    writeFileSync(path.join(dir, "manifest.json"), `${JSON.stringify(stale, null, 2)}\n`);

    const out = run([dir, "--k", "4"]);
    expect(out.stderr).toMatch(/: sampled 1024\/1024/);
    expect(out.stderr).toMatch(/: greedy [\d.]+, pass@1 [\d.]+, pass@4 [\d.]+, maj@4 [\d.]+, self-certainty AUROC [\d.]+\n$/);
    expect(out.status).toBe(0);
    expect(out.stdout).toBe("");
    // Byte for byte: the same evaluation, every other field as it was, in the same order.
    expect(readFileSync(path.join(dir, "manifest.json"), "utf8")).toBe(original);
    expect(readFileSync(path.join(dir, "weights.bin")).equals(weights)).toBe(true);
  });

  it("keeps fields it does not know, and evaluates several models in one call", () => {
    const a = copyOfTiny("a");
    const b = copyOfTiny("b");
    const withExtra = JSON.parse(readFileSync(path.join(a, "manifest.json"), "utf8")) as Record<string, unknown>;
    withExtra.notes = { reviewedBy: "lab" };
    writeFileSync(path.join(a, "manifest.json"), `${JSON.stringify(withExtra, null, 2)}\n`);

    const out = run([a, b, "--k", "1", "--threads", "1"]);
    expect(out.status).toBe(0);
    const ma = JSON.parse(readFileSync(path.join(a, "manifest.json"), "utf8")) as Record<string, unknown>;
    const mb = JSON.parse(readFileSync(path.join(b, "manifest.json"), "utf8")) as Record<string, unknown>;
    expect(ma.notes).toEqual({ reviewedBy: "lab" });
    expect(ma.evaluation).toMatchObject({ prompts: 256, k: 1, samples: 256, passAt: { "1": expect.any(Number) } });
    expect(mb.evaluation).toEqual(ma.evaluation);
    const { evaluation: _a, notes: _n, ...restA } = ma;
    const { evaluation: _b, ...restB } = JSON.parse(readFileSync(path.join(tiny.model, "manifest.json"), "utf8")) as Record<string, unknown>;
    expect(restA).toEqual(restB);
  });

  it("names a missing model folder in one line, before evaluating anything", () => {
    const dir = copyOfTiny("untouched");
    const before = readFileSync(path.join(dir, "manifest.json"), "utf8");
    const out = run([dir, path.join(scratch, "no/such/model")]);
    expect(out.status).toBe(2);
    expect(out.stderr).toMatch(/^evaluate: no model at .*no\/such\/model \(expected manifest.json and weights.bin[^\n]*\n$/);
    expect(readFileSync(path.join(dir, "manifest.json"), "utf8")).toBe(before);
  });

  it("refuses weights that do not match their checksum", () => {
    const dir = copyOfTiny("corrupt");
    const file = path.join(dir, "weights.bin");
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] ^= 1;
    writeFileSync(file, bytes);
    const out = run([dir]);
    expect(out.status).toBe(2);
    expect(out.stderr).toMatch(/^evaluate: model .*corrupt: .*sha256[^\n]*\n$/);
  });

  it.each([
    [["--k", "0"], "--k: Too small: expected number to be >=1\n(see --help)\n"],
    [["--k", "65", "models/x"], "--k: Too big: expected number to be <=64\n(see --help)\n"],
    [["--bogus"], "Unknown option '--bogus'\n(see --help)\n"],
    [[], "name at least one model folder, e.g. models/arith-small\n(see --help)\n"],
  ])("rejects %j with one clear line", (argv, message) => {
    const out = run(argv as string[]);
    expect(out.status).toBe(2);
    expect(out.stderr).toBe(message);
  });

  it("prints its usage on --help", () => {
    const out = run(["--help"]);
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/^usage: npm run evaluate -- MODEL \[MODEL \.\.\.\]/);
    expect(out.stdout).toContain("--k <number> (default 64)");
  });
});
