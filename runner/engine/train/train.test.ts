// Pretraining and the RL loop end to end on a tiny model: pretraining learns, identical seeds give
// identical metrics, and resuming from a checkpoint equals the uninterrupted run.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { METRIC_NAMES, METRICS } from "../metrics/metric-names";
import type { StepRecord } from "./api";
import type { TrainConfigInput } from "./config";
import { tinyConfig, tinyModel, type TinyModel } from "./tiny-model";
import { train } from "./train";

let tiny: TinyModel;
let model: string;

beforeAll(async () => {
  tiny = await tinyModel("train-test");
  model = tiny.model;
});
afterAll(() => tiny.remove());

const base = (): TrainConfigInput => tinyConfig(model, { valEvery: 2 });

/** Metrics without perf/*, which measure time and differ between any two runs. */
function stable(records: StepRecord[]) {
  return records.map((r) => ({
    step: r.step,
    metrics: Object.fromEntries(Object.entries(r.metrics).filter(([k]) => !k.startsWith("perf/"))),
  }));
}

async function collect(config: TrainConfigInput, resume?: Uint8Array) {
  const steps: StepRecord[] = [];
  const checkpoints = new Map<number, Uint8Array>();
  const result = await train(config, { onStep: (r) => void steps.push(r), onCheckpoint: (s, d) => void checkpoints.set(s, d) }, resume);
  return { steps, checkpoints, result };
}

describe("pretrain", () => {
  it("learns: cross-entropy falls well below a uniform guess, and the folder reads back", async () => {
    const { readModelDir } = await import("../io/manifest");
    const { manifest, config } = readModelDir(model);
    expect(config).toMatchObject({ width: 32, depth: 1, heads: 2 });
    // A uniform guess over the 54-token vocabulary costs ln 54 = 3.99 nats per token.
    expect(manifest.provenance.details?.finalLoss).toBeLessThan(2.0);
    expect(manifest.evaluation).toMatchObject({ prompts: 256, k: 2 });
  });
});

describe("train", () => {
  it("reports every DESIGN.md metric under its exact name, step 0 being the initial validation", async () => {
    const { steps, result } = await collect(base());
    expect(result).toEqual({ lastStep: 4, stopped: false });
    expect(steps.map((s) => s.step)).toEqual([0, 1, 2, 3, 4]);
    const val = METRIC_NAMES.filter((k) => k.startsWith("val/"));
    expect(Object.keys(steps[0]!.metrics).sort()).toEqual([...val].sort());
    // The last step validates, and measures the KL to the reference (every KL_METRIC_EVERY steps and the last).
    expect(Object.keys(steps[4]!.metrics).sort()).toEqual([...METRIC_NAMES].sort());
    expect(Object.keys(steps[1]!.metrics).sort()).toEqual(METRIC_NAMES.filter((k) => !k.startsWith("val/") && k !== METRICS.klRef).sort());
    for (const s of steps.slice(1)) for (const v of Object.values(s.metrics)) expect(Number.isFinite(v)).toBe(true);
    // Step 0 and the last validations are the full evaluation; the light one uses the first valSize prompts.
    expect(steps[0]!.metrics[METRICS.valPrompts]).toBe(8);
    expect(steps[4]!.metrics[METRICS.valPrompts]).toBe(8);
    const light = await collect({ ...base(), steps: 8, fullValSize: 16 });
    expect(light.steps.filter((s) => METRICS.valPrompts in s.metrics).map((s) => [s.step, s.metrics[METRICS.valPrompts]]))
      .toEqual([[0, 16], [2, 8], [4, 16], [6, 16], [8, 16]]);
  });

  it("trains on-policy at temperature 0.6 / top-p 0.95: the first update's ratio is 1, so nothing is clipped", async () => {
    // The ratio's old log-probs are the sampler's; the update recomputes them at the run's
    // temperature. Had either side used temperature 1, ratios would spread far beyond 1 +- 0.2.
    for (const temperature of [0.6, 1.4]) {
      const { steps } = await collect({ ...base(), temperature, topP: 0.95, steps: 1, valEvery: 0, lr: 1e-9 });
      expect(steps[0]!.metrics[METRICS.clipFrac], `temperature ${temperature}`).toBe(0);
      expect(Math.abs(steps[0]!.metrics[METRICS.klRef]!)).toBeLessThan(1e-6);
    }
  });

  it("counts responses cut off at the token limit in response/clip_ratio; they earn no reward", async () => {
    const { steps } = await collect({ ...base(), reward: "ground_truth", maxNewTokens: 2, valEvery: 0, steps: 2 });
    for (const s of steps) {
      // Two tokens hold no answer: nearly every response is cut off, and none is rewarded.
      expect(s.metrics[METRICS.clipRatio]).toBeGreaterThan(0.8);
      expect(s.metrics[METRICS.groundTruthReward]).toBe(0);
      expect(s.metrics[METRICS.proxyReward]).toBe(0);
    }
    const normal = await collect({ ...base(), steps: 1, valEvery: 0 });
    expect(normal.steps[0]!.metrics[METRICS.clipRatio]).toBeLessThan(steps[0]!.metrics[METRICS.clipRatio]!);
  });

  it("gives identical metrics for the same config and seed, and different ones for another seed", async () => {
    const a = await collect(base());
    const b = await collect(base());
    const c = await collect({ ...base(), seed: 8 });
    expect(stable(b.steps)).toEqual(stable(a.steps));
    expect(stable(c.steps)).not.toEqual(stable(a.steps));
  });

  it("resumed from a checkpoint, continues exactly as the uninterrupted run", async () => {
    const full = await collect(base());
    const resumed = await collect(base(), full.checkpoints.get(2));
    expect(stable(resumed.steps)).toEqual(stable(full.steps.filter((s) => s.step > 2)));
  });

  it("stops on the abort signal after the step in progress, with a checkpoint that resumes", async () => {
    const abort = new AbortController();
    const seen: StepRecord[] = [];
    let last: Uint8Array | undefined;
    const result = await train(base(), {
      signal: abort.signal,
      onStep: (r) => {
        seen.push(r);
        if (r.step === 1) abort.abort();
      },
      onCheckpoint: (_s, d) => void (last = d),
    });
    expect(result).toEqual({ lastStep: 1, stopped: true });
    const rest = await collect(base(), last);
    const full = await collect(base());
    expect(stable([...seen, ...rest.steps])).toEqual(stable(full.steps));
  });

  it("split over two worker threads: deterministic, and resumed from a checkpoint exactly", async () => {
    const pooled = { ...base(), workers: 2 };
    const a = await collect(pooled);
    const b = await collect(pooled);
    expect(stable(b.steps)).toEqual(stable(a.steps));
    const resumed = await collect(pooled, a.checkpoints.get(2));
    expect(stable(resumed.steps)).toEqual(stable(a.steps.filter((s) => s.step > 2)));
  });

  it("refuses a checkpoint of another config", async () => {
    const { checkpoints } = await collect({ ...base(), steps: 2 });
    await expect(train({ ...base(), lr: 5e-4 }, {}, checkpoints.get(2))).rejects.toThrow(/different config/);
  });

  it("ground-truth reward is what it says: reward accuracy 1 and proxy = ground-truth reward", async () => {
    const { steps } = await collect({ ...base(), reward: "ground_truth", valEvery: 0 });
    for (const s of steps) {
      expect(s.metrics[METRICS.rewardAccuracy]).toBe(1);
      expect(s.metrics[METRICS.proxyReward]).toBe(s.metrics[METRICS.groundTruthReward]);
    }
  });

  it.each(["self_certainty", "token_entropy", "trajectory_entropy", "probability", "cluster_frequency", "self_verification"] as const)(
    "%s trains (continuous reward, finite metrics)",
    async (reward) => {
      const { steps } = await collect({ ...base(), reward, steps: 2, valEvery: 0 });
      expect(steps).toHaveLength(2);
      const ra = steps[1]!.metrics[METRICS.rewardAccuracy]!;
      expect(ra).toBeGreaterThanOrEqual(0);
      expect(ra).toBeLessThanOrEqual(1);
    },
  );
});
