// The step watchdog's limit and clock as plain functions, with the times given (no waiting). The
// watchdog killing a real stopped worker is in faults.test.ts.
import { describe, expect, it } from "vitest";
import { describeStall, median, STALL_WINDOW, StallWatch, stallLimit } from "./watchdog";

describe("stallLimit", () => {
  it("is the floor until steps were seen, then max(floor, 20 x the median step interval)", () => {
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(stallLimit(600_000, [])).toEqual({ limitMs: 600_000, floorMs: 600_000, medianMs: null });
    // Fast steps: the floor wins.
    expect(stallLimit(10_000, [200, 210, 190])).toEqual({ limitMs: 10_000, floorMs: 10_000, medianMs: 200 });
    // Slow steps: 20 x the median wins; the validation steps (the long ones) do not move it.
    expect(stallLimit(10_000, [2_000, 2_000, 50_000, 2_100, 1_900, 60_000, 2_000]).limitMs).toBe(40_000);
  });

  it("says why, with the numbers", () => {
    expect(describeStall(45_000, stallLimit(30_000, [800, 2_000, 2_000]), 1234)).toBe(
      "no step for 45 s (limit 40 s = 20 x median step 2 s; floor 30 s): worker process 1234 killed",
    );
    expect(describeStall(5_210, stallLimit(5_000, [8, 9, 10]), 77)).toBe(
      "no step for 5.21 s (limit 5 s = the floor (--stall-ms); 20 x median step 0.009 s is less): worker process 77 killed",
    );
    expect(describeStall(601_000, stallLimit(600_000, []), 9)).toBe(
      "no step for 601 s (limit 600 s = the floor (--stall-ms); no step interval seen yet): worker process 9 killed",
    );
  });
});

describe("StallWatch", () => {
  const EVERY = 100;
  /** Calls check() every EVERY ms from `from` to `to`, as RunJob's timer does; the first reason, if any. */
  function tick(w: StallWatch, from: number, to: number): { at: number; reason: string } | null {
    for (let t = from; t <= to; t += EVERY) {
      const reason = w.check(t, 42);
      if (reason) return { at: t, reason };
    }
    return null;
  }

  it("fires once the idle time passes the limit, counting from the last step or validation chunk", () => {
    const w = new StallWatch(1_000, EVERY, 0);
    expect(tick(w, 100, 900)).toBeNull();
    w.progress(900); // a validation chunk before the first step
    expect(tick(w, 1_000, 1_900)).toBeNull();
    const fired = tick(w, 2_000, 3_000);
    expect(fired?.at).toBe(2_000);
    expect(fired?.reason).toMatch(/^no step for 1\.1 s \(limit 1 s = the floor \(--stall-ms\); no step interval seen yet\): worker process 42 killed$/);
  });

  it("learns the step interval: slow steps raise the limit above the floor", () => {
    const w = new StallWatch(1_000, EVERY, 0);
    let t = 0;
    for (let i = 0; i < 5; i++) {
      t += 500;
      expect(tick(w, t - 400, t)).toBeNull();
      w.step(t);
      w.release(t); // the runner acknowledged at once
    }
    expect(w.limit).toEqual({ limitMs: 10_000, floorMs: 1_000, medianMs: 500 });
    expect(tick(w, t + EVERY, t + 10_000)).toBeNull();
    expect(tick(w, t + 10_100, t + 10_100)?.reason).toMatch(/limit 10 s = 20 x median step 0\.5 s; floor 1 s/);
  });

  it("does not count the time the runner holds the worker, nor that time in the next interval", () => {
    const w = new StallWatch(1_000, EVERY, 0);
    w.step(100);
    w.step(110);
    w.hold(110); // the metric buffer is full: no ack
    expect(tick(w, 200, 60_000)).toBeNull();
    w.release(60_000);
    w.step(60_010);
    expect(w.limit.medianMs).toBe(10);
    expect(tick(w, 60_100, 62_000)?.at).toBe(61_100);
  });

  it("does not blame the worker for a pause of the runner itself (a late check)", () => {
    const w = new StallWatch(1_000, EVERY, 0);
    w.step(0);
    expect(tick(w, 100, 500)).toBeNull();
    // The runner was stopped (or the machine slept) from 500 to 30,000: the next check comes late.
    expect(w.check(30_000, 42)).toBeNull();
    // Idle 600 ms before the pause (to one check period after the last on-time check), 500 after.
    expect(tick(w, 30_100, 31_000)?.at).toBe(30_500);
  });

  it("keeps the last STALL_WINDOW intervals", () => {
    const w = new StallWatch(1, EVERY, 0);
    let t = 0;
    for (let i = 0; i <= STALL_WINDOW; i++) w.step((t += 1_000));
    expect(w.limit.medianMs).toBe(1_000);
    for (let i = 0; i <= STALL_WINDOW / 2 + 1; i++) w.step((t += 10));
    expect(w.limit.medianMs).toBe(10);
  });
});
