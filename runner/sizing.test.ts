// The runner's size: the rule that turns two measurements into a choice, and one real measurement
// on this machine through the engine's benchmark, kept and reused.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MAX_SLOTS, SIZING_MARGIN, candidateSlots, chooseSizing, keptSizing, machineKey, sizeRunner } from "./sizing";

describe("candidateSlots", () => {
  it("offers one slot per core, one thread each, up to MAX_SLOTS", () => {
    expect(candidateSlots(1)).toEqual({ slots: 1, threadsPerRun: 1 });
    expect(candidateSlots(2)).toEqual({ slots: 2, threadsPerRun: 1 });
    expect(candidateSlots(32)).toEqual({ slots: MAX_SLOTS, threadsPerRun: 32 / MAX_SLOTS });
  });
});

describe("chooseSizing", () => {
  it("takes several slots when they do clearly more iterations per second", () => {
    // One run: 0.5 s per iteration (2/s). Two side by side: 0.6 s each (3.33/s, 1.67x).
    const s = chooseSizing(2, 0.5, { slots: 2, threadsPerRun: 1, secondsPerIteration: 0.6 });
    expect(s).toMatchObject({ slots: 2, threadsPerRun: 1 });
    expect(s.reason).toMatch(/1\.67x the iterations per second \(at least 1\.15x: several slots\)/);
  });

  it("keeps one slot with every core when the gain is under the margin", () => {
    // Two side by side at 0.9 s each: 2.22/s against 2/s, 1.11x.
    const s = chooseSizing(2, 0.5, { slots: 2, threadsPerRun: 1, secondsPerIteration: 0.9 });
    expect(s).toMatchObject({ slots: 1, threadsPerRun: 2 });
    expect(s.reason).toMatch(new RegExp(`under ${SIZING_MARGIN}x: one slot`));
  });
});

describe("sizeRunner", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "urlvr-sizing-test-"));
  const file = path.join(dir, "runner-sizing.json");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("measures this machine through the engine's benchmark and keeps the result", async () => {
    const logs: string[] = [];
    const sizing = await sizeRunner(file, (m) => logs.push(m));
    const cores = os.availableParallelism();
    if (cores === 1) {
      expect(sizing).toMatchObject({ slots: 1, threadsPerRun: 1 });
      return;
    }
    expect(logs.join("\n")).toMatch(/measuring how many runs/);
    expect([1, candidateSlots(cores).slots]).toContain(sizing.slots);
    expect(sizing.reason).toMatch(/^one run on \d+ cores: \d+\.\d\d s per iteration; \d+ runs x \d+ threads? side by side/);
    const kept = JSON.parse(readFileSync(file, "utf8"));
    expect(kept.sizing).toEqual(sizing);
    // Kept: the next start reads it back without measuring.
    const again: string[] = [];
    expect(await sizeRunner(file, (m) => again.push(m))).toEqual(sizing);
    expect(again).toEqual([]);
  }, 180_000);

  it("reads back only this machine's kept result", () => {
    const sizing = { slots: 2, threadsPerRun: 1, reason: "measured" };
    writeFileSync(file, JSON.stringify({ machine: machineKey(), sizing }));
    expect(keptSizing(file, machineKey())).toEqual(sizing);
    expect(keptSizing(file, "v1 64 x another CPU")).toBeUndefined();
    writeFileSync(file, JSON.stringify({ machine: machineKey(), sizing: { ...sizing, slots: 0 } }));
    expect(keptSizing(file, machineKey())).toBeUndefined();
    writeFileSync(file, "{ not json");
    expect(keptSizing(file, machineKey())).toBeUndefined();
  });
});
