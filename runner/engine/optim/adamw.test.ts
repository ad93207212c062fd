import { describe, expect, it } from "vitest";
import { Rng } from "../util/rng";
import { AdamW, type Params, defaultDecays } from "./adamw";

const f32 = (...xs: number[]) => new Float32Array(xs);

describe("AdamW", () => {
  it("first steps move by lr*sign(g) (bias correction) and decay only matrices", () => {
    const opt = new AdamW({ weightDecay: 0.1 });
    const params: Params = new Map([
      ["h0.attn.wqkv", f32(1)],
      ["h0.attn.bqkv", f32(1)],
      ["h0.ln1.g", f32(1)],
    ]);
    const grads: Params = new Map([...params.keys()].map((k) => [k, f32(0.5)]));
    opt.update(params, grads, 0.1);
    // 1 - 0.1 * 0.5/(0.5+1e-8) - 0.1*0.1*1
    expect(params.get("h0.attn.wqkv")![0]).toBeCloseTo(0.89, 6);
    expect(params.get("h0.attn.bqkv")![0]).toBeCloseTo(0.9, 6);
    expect(params.get("h0.ln1.g")![0]).toBeCloseTo(0.9, 6);
    opt.update(params, grads, 0.1);
    expect(params.get("h0.attn.bqkv")![0]).toBeCloseTo(0.8, 6);
    expect(opt.step).toBe(2);
  });

  it("decay rule: matrices and embeddings decay, LayerNorm and biases do not", () => {
    for (const n of ["wte", "wpe", "head", "h0.attn.wqkv", "h3.mlp.wproj", "h1.attn.wo", "h1.mlp.wfc"]) expect(defaultDecays(n)).toBe(true);
    for (const n of ["h0.ln1.g", "h0.ln1.b", "lnf.g", "lnf.b", "h0.attn.bqkv", "h0.attn.bo", "h2.mlp.bfc", "h2.mlp.bproj"]) {
      expect(defaultDecays(n)).toBe(false);
    }
  });

  it("minimizes a quadratic", () => {
    const opt = new AdamW({ weightDecay: 0 });
    const p: Params = new Map([["w", f32(0, 10, -5)]]);
    for (let i = 0; i < 2000; i++) {
      const w = p.get("w")!;
      opt.update(p, new Map([["w", w.map((x) => 2 * (x - 3))]]), 0.05);
    }
    for (const x of p.get("w")!) expect(x).toBeCloseTo(3, 2);
  });

  it("resumes identically from saved state tensors", () => {
    const rng = new Rng(1);
    const init = () => new Map([["w", f32(...Array.from({ length: 16 }, () => rng.normal()))], ["b", f32(0, 0)]]);
    const gradsAt = (step: number): Params => {
      const g = new Rng(100, `g${step}`);
      return new Map([["w", f32(...Array.from({ length: 16 }, () => g.normal()))], ["b", f32(g.normal(), g.normal())]]);
    };
    const a = init();
    const optA = new AdamW();
    for (let s = 0; s < 5; s++) optA.update(a, gradsAt(s), 1e-2);
    const saved = optA.stateTensors();
    const b = new Map([...a].map(([k, x]) => [k, x.slice()]));
    const optB = new AdamW();
    optB.loadStateTensors(optA.step, saved);
    for (let s = 5; s < 10; s++) {
      optA.update(a, gradsAt(s), 1e-2);
      optB.update(b, gradsAt(s), 1e-2);
    }
    expect([...b.get("w")!]).toEqual([...a.get("w")!]);
    expect([...b.get("b")!]).toEqual([...a.get("b")!]);
    // A fresh optimizer (lost state) would diverge: guards that the state matters.
    const c = new Map([...a].map(([k, x]) => [k, x.slice()]));
    const fresh = new AdamW();
    fresh.update(c, gradsAt(10), 1e-2);
    optA.update(a, gradsAt(10), 1e-2);
    expect([...c.get("w")!]).not.toEqual([...a.get("w")!]);
  });

  it("reports missing, extra and mis-sized grads", () => {
    const opt = new AdamW();
    const p: Params = new Map([["w", f32(1, 2)]]);
    expect(() => opt.update(p, new Map(), 0.1)).toThrow(/no grad/);
    expect(() => opt.update(p, new Map([["w", f32(1)]]), 0.1)).toThrow(/elements/);
    expect(() => opt.update(p, new Map([["w", f32(1, 1)], ["x", f32(1)]]), 0.1)).toThrow(/unknown param/);
    expect(() => new AdamW({ beta1: 1 })).toThrow(/beta1/);
  });
});
