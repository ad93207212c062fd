import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { trainConfigSchema } from "../train/config";
import { parseCommandLine, UsageError } from "./args";

describe("parseCommandLine", () => {
  it("maps kebab-case flags to the schema and fills defaults", () => {
    const { values, extra } = parseCommandLine(
      ["--reward", "ground_truth", "--dataset-size", "64", "--train-on-validation", "--out", "x.jsonl"],
      trainConfigSchema,
      { out: "string" },
    );
    expect(values).toMatchObject({ reward: "ground_truth", datasetSize: 64, trainOnValidation: true, steps: 200 });
    expect(extra).toEqual({ out: "x.jsonl" });
  });

  it.each([
    [["--steps", "abc"], "--steps expects a number, got \"abc\""],
    [["--steps", ""], "--steps expects a number, got \"\""],
    [["--dataset-size", "8"], "--dataset-size: Too small: expected number to be >=32"],
    [["--reward", "vibes"], /--reward: Invalid option: expected one of "majority_vote"/],
    [["--bogus", "1"], "Unknown option '--bogus'"],
    [["stray"], /Unexpected argument 'stray'/],
  ])("rejects %j with a clear message", (argv, message) => {
    expect(() => parseCommandLine(argv as string[], trainConfigSchema)).toThrow(UsageError);
    expect(() => parseCommandLine(argv as string[], trainConfigSchema)).toThrow(message);
  });
});

describe("npm run train", () => {
  const run = (args: string[]) =>
    spawnSync("node_modules/.bin/tsx", ["runner/engine/cli/train.ts", ...args], { encoding: "utf8", timeout: 60_000 });

  it("exits non-zero with one clear line on a bad flag", () => {
    const out = run(["--temperature", "0"]);
    expect(out.status).toBe(2);
    expect(out.stderr).toBe("--temperature: Too small: expected number to be >0\n(see --help)\n");
    expect(out.stdout).toBe("");
  });

  it("names a missing model", () => {
    const out = run(["--model", "./no/such/model", "--steps", "1"]);
    expect(out.status).toBe(2);
    expect(out.stderr).toMatch(/^train: no model at .*no\/such\/model \(expected manifest.json and weights.bin/);
  });
});
