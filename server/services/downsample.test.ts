import { describe, expect, it } from "vitest";
import { downsample, type SeriesPoint } from "./downsample";

const series = (values: number[], start = 0): SeriesPoint[] => values.map((value, i) => ({ step: start + i, value, wallTime: 1000 * i }));

describe("downsample", () => {
  it("returns short series whole, sorted by step", () => {
    const pts = series([3, 1, 2]).reverse();
    expect(downsample(pts, 10).map((p) => p.step)).toEqual([0, 1, 2]);
  });

  it("never returns more than maxPoints and keeps the first and last point", () => {
    for (const n of [1001, 5000, 12345]) {
      const pts = series(Array.from({ length: n }, (_, i) => Math.sin(i / 50)));
      const out = downsample(pts, 1000);
      expect(out.length).toBeLessThanOrEqual(1000);
      expect(out.length).toBeGreaterThan(500);
      expect(out[0]).toBe(pts[0]);
      expect(out[out.length - 1]).toBe(pts[n - 1]);
      // strictly increasing steps: no duplicates
      for (let i = 1; i < out.length; i++) expect(out[i].step).toBeGreaterThan(out[i - 1].step);
    }
  });

  it("keeps one-step spikes up and down", () => {
    const values = Array.from({ length: 5000 }, () => 0.5);
    values[1234] = 100;
    values[4321] = -100;
    const out = downsample(series(values), 100);
    expect(out.length).toBeLessThanOrEqual(100);
    expect(out.find((p) => p.value === 100)?.step).toBe(1234);
    expect(out.find((p) => p.value === -100)?.step).toBe(4321);
  });

  it("keeps every bucket's min and max so the envelope is exact", () => {
    const values = Array.from({ length: 4000 }, (_, i) => ((i * 7919) % 1000) / 1000);
    const out = downsample(series(values), 400);
    expect(Math.max(...out.map((p) => p.value))).toBe(Math.max(...values));
    expect(Math.min(...out.map((p) => p.value))).toBe(Math.min(...values));
  });

  it("ignores NaN and infinities for min and max", () => {
    const values = Array.from({ length: 2000 }, (_, i) => i / 2000);
    values[10] = Number.NaN;
    values[20] = Number.POSITIVE_INFINITY;
    values[30] = Number.NEGATIVE_INFINITY;
    const out = downsample(series(values), 40);
    // the first bucket (steps 0..199) keeps 0 (first and min) and its finite max, not the infinities
    const firstBucket = out.filter((p) => p.step < 200);
    expect(firstBucket.map((p) => p.value)).toEqual([0, 199 / 2000]);
    expect(out.some((p) => !Number.isFinite(p.value))).toBe(false);
  });

  it("keeps a non-finite first or last point (the chart shows a gap) and survives an all-NaN bucket", () => {
    const values = Array.from({ length: 100 }, () => Number.NaN);
    values[99] = 1;
    const out = downsample(series(values), 8);
    expect(Number.isNaN(out[0].value)).toBe(true);
    expect(out[out.length - 1]).toMatchObject({ step: 99, value: 1 });
    expect(out.length).toBeLessThanOrEqual(8);
  });

  it("buckets by step, so sparse steps (validation every 20) stay in place", () => {
    const pts = Array.from({ length: 300 }, (_, i) => ({ step: i * 20, value: i % 2, wallTime: i }));
    const out = downsample(pts, 40);
    expect(out.length).toBeLessThanOrEqual(40);
    expect(out[0].step).toBe(0);
    expect(out[out.length - 1].step).toBe(299 * 20);
  });

  it("rejects a maxPoints below 4", () => {
    expect(() => downsample(series([1, 2, 3]), 3)).toThrow(RangeError);
  });
});
