// Pretraining and the RL loop end to end on a tiny model: pretraining learns, identical seeds give
// identical metrics, and resuming from a checkpoint equals the uninterrupted run.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { METRIC_NAMES, METRICS } from "../metrics/metricNames";
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
    expect(Object.keys(steps[0]!.metrics).sort()).toEqual([METRICS.valAccuracy, METRICS.valMajAtK, METRICS.valPassAtK].sort());
    expect(Object.keys(steps[2]!.metrics).sort()).toEqual([...METRIC_NAMES].sort());
    for (const s of steps.slice(1)) for (const v of Object.values(s.metrics)) expect(Number.isFinite(v)).toBe(true);
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
