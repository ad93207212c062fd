import { describe, expect, it } from "vitest";
import { Rng } from "./rng";

describe("Rng", () => {
  it("is deterministic for a seed and differs across seeds and names", () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const xs = Array.from({ length: 20 }, () => a.nextUint32());
    expect(Array.from({ length: 20 }, () => b.nextUint32())).toEqual(xs);
    const c = new Rng(43);
    expect(Array.from({ length: 20 }, () => c.nextUint32())).not.toEqual(xs);
    const d = new Rng(42, "sampler");
    expect(Array.from({ length: 20 }, () => d.nextUint32())).not.toEqual(xs);
  });

  it("distinguishes large and negative seeds", () => {
    const first = (s: number) => new Rng(s).nextUint32();
    const vals = [0, 1, -1, 2 ** 32, 2 ** 32 + 1, 2 ** 40, -(2 ** 40)].map(first);
    expect(new Set(vals).size).toBe(vals.length);
    expect(() => new Rng(1.5)).toThrow();
  });

  it("resumes the identical stream from a saved state (incl. via JSON)", () => {
    const rng = new Rng(7, "data");
    for (let i = 0; i < 1000; i++) rng.next();
    const saved = JSON.parse(JSON.stringify(rng.getState()));
    const expected = [rng.next(), rng.int(17), rng.normal(), rng.shuffle([1, 2, 3, 4, 5, 6])];
    const resumed = Rng.fromState(saved);
    expect([resumed.next(), resumed.int(17), resumed.normal(), resumed.shuffle([1, 2, 3, 4, 5, 6])]).toEqual(
      expected,
    );
    expect(() => resumed.setState({ a: -1, b: 0, c: 0, d: 0 })).toThrow(/invalid rng state/);
  });

  it("derive is a pure function of (seed, name); fork advances the parent", () => {
    const x = Rng.derive(5, "init").next();
    expect(Rng.derive(5, "init").next()).toBe(x);
    expect(Rng.derive(5, "init2").next()).not.toBe(x);
    const parent = new Rng(5);
    const f1 = parent.fork("k").next();
    const f2 = parent.fork("k").next();
    expect(f1).not.toBe(f2);
  });

  it("next is in [0,1) with mean ~0.5; int is in range and roughly uniform", () => {
    const rng = new Rng(1);
    let sum = 0;
    let outside = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const v = rng.next();
      if (!(v >= 0 && v < 1)) outside++;
      sum += v;
    }
    expect(outside).toBe(0);
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.01);
    const counts = new Array(7).fill(0);
    for (let i = 0; i < 70_000; i++) counts[rng.int(7)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    expect(() => rng.int(0)).toThrow();
    for (let i = 0; i < 100; i++) {
      const r = rng.range(-3, 3);
      expect(r >= -3 && r <= 3 && Number.isInteger(r)).toBe(true);
    }
  });

  it("normal has mean ~0 and variance ~1", () => {
    const rng = new Rng(2);
    const n = 100_000;
    let s = 0;
    let s2 = 0;
    let nonFinite = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      if (!Number.isFinite(z)) nonFinite++;
      s += z;
      s2 += z * z;
    }
    expect(nonFinite).toBe(0);
    const mean = s / n;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(s2 / n - mean * mean - 1)).toBeLessThan(0.03);
  });

  it("shuffle is a permutation and reaches every ordering of 3 items", () => {
    const rng = new Rng(3);
    const seen = new Set<string>();
    for (let i = 0; i < 600; i++) {
      const p = rng.shuffle([0, 1, 2]);
      expect([...p].sort()).toEqual([0, 1, 2]);
      seen.add(p.join(""));
    }
    expect(seen.size).toBe(6);
  });
});
