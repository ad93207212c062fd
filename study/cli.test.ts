// The study's two commands refuse bad input with one line and exit code 2, before any work starts.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

function run(script: string, args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", script, ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stderr: r.stderr.trim(), stdout: r.stdout.trim() };
}

describe("npm run study", () => {
  it.each([
    [["--parallel", "0"], /--parallel: must be a positive integer/],
    [["--steps", "ten"], /--steps expects a number, got "ten"/],
    [["--bogus"], /Unknown option '--bogus'/],
  ])("%j: one line, exit 2", (args, message) => {
    const r = run("study/main.ts", args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.split("\n").length).toBeLessThanOrEqual(2);
  });

  it("--help lists the flags", () => {
    const r = run("study/main.ts", ["--help"]);
    expect(r.code).toBe(0);
    for (const flag of ["--quick", "--results", "--fresh", "--parallel", "--report-only", "--import"]) expect(r.stdout).toContain(flag);
  });
});

describe("npm run zoo", () => {
  it("an unknown recipe: one line naming the recipes, exit 2", () => {
    const r = run("study/zoo.ts", ["--only", "arith-small,nope"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^zoo: no recipe named nope \(recipes: arith-l4-1500, .*arith-small, countdown-small\)$/);
  });
});
