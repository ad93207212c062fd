// Parity of a device with the CPU, through a recorded reference.
//
// What is comparable across devices: float32 kernels on a GPU sum in a different order than the
// CPU's, so logits agree to about 1e-6 relative, not bit for bit. Everything computed from fixed
// inputs therefore agrees within a small tolerance. Sampled tokens do not have to: a token drawn by
// inverse CDF changes when the uniform draw falls within that 1e-6 of a bucket edge (rare, but a
// run draws thousands of tokens), and from then on the two runs train on different rollouts. So
// the check has two parts:
//   fixed: teacher-forced work with no sampling. Correct solutions of the validation problems are
//     scored and then trained on with the GRPO step (fixed advantages, old log-probs held at the
//     initial policy's so the ratio moves and clipping is exercised, KL to the initial policy) and
//     AdamW for 5 updates. Every value must agree within tolerance: this is the real check of the
//     device's kernels, forward and backward, and of the optimizer loop around them.
//   run: the real training loop (`train`) for 5 steps with the tiny-model recipe, step-0 validation
//     included. Metrics that count tokens or answers (rewards, accuracies, lengths) are equal while
//     the rollouts are; the first step where one differs marks the rollouts as diverged, and that
//     step and later ones are reported but not judged. Steps before it must agree within tolerance.
// The CPU run itself is checked against the committed reference the same way, so a change to the
// engine's numbers (or a CPU whose kernels round differently) shows up here as well.
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { readModelDir } from "../io/manifest";
import { METRICS } from "../metrics/metric-names";
import type { Params } from "../model/config";
import { createPolicySession } from "../model/policy";
import { AdamW } from "../optim/adamw";
import { ort, type Device } from "../onnx/session";
import { getTask } from "../tasks/registry";
import { encodeExample } from "../tasks/tokenizer";
import { tinyConfig, tinyModel } from "../train/tiny-model";
import { train, DATA_SEED } from "../train/train";
import { Rng } from "../util/rng";

export const REFERENCE_FILE = "runner/engine/device/parity-reference.json";
const REFERENCE_PATH = fileURLToPath(new URL("./parity-reference.json", import.meta.url));

export const PARITY_STEPS = 5;
/**
 * Pretraining steps of the tiny model: enough that its rollouts hold answers (a few percent right),
 * so rewards, advantages and the policy gradient of the run are not all zero.
 */
const PRETRAIN_STEPS = 400;

/**
 * Tolerances, |a - b| <= abs + rel * |b|. float32 across devices differs by about 1e-6 relative per
 * op; after a forward, a backward, a global norm and 5 AdamW updates on a batch that is trained on
 * repeatedly, 1e-3 leaves a wide margin over that while still catching a wrong kernel (those are off
 * by percent or more). The absolute floor covers values that are zero up to rounding (the KL at the
 * first update). clip_frac counts tokens past the clip boundary: one token in a few hundred may sit
 * on the boundary and cross it, hence its own absolute tolerance.
 */
export const TOLERANCE = { rel: 1e-3, abs: 1e-5, clipFracAbs: 0.02 };

/** Metrics of the run that are functions of the sampled tokens alone: equal while rollouts are. */
const DISCRETE = new Set<string>([
  METRICS.rewardAccuracy, METRICS.labelAccuracy, METRICS.majorityRatio, METRICS.groundTruthReward, METRICS.proxyReward,
  METRICS.passAtN, METRICS.lengthMean, METRICS.repetition, METRICS.valAccuracy, METRICS.valPassAtK, METRICS.valMajAtK,
]);
/** Wall-clock metrics: never compared. */
const TIMING = new Set<string>([METRICS.stepSeconds, METRICS.tokensPerSecond]);

export interface ParityRun {
  device: Device;
  /** One record per teacher-forced update. */
  fixed: Array<Record<string, number>>;
  /** The training loop's metrics per step (timing metrics left out), step 0 = initial validation. */
  run: Array<{ step: number; metrics: Record<string, number> }>;
}

export interface ParityReference extends ParityRun {
  recorded: { node: string; onnxruntime: string; cpu: string; threads: 1 };
}

/** The fixed small run: the tiny model (pretrained on the CPU, one thread), then both parts on `device`. */
export async function parityRun(device: Device): Promise<ParityRun> {
  // Pretraining stays on the CPU with one thread so both devices start from the same weights.
  const tiny = await tinyModel("parity", { threads: 1, steps: PRETRAIN_STEPS });
  try {
    const fixed = await fixedPart(tiny.model, device);
    const run: ParityRun["run"] = [];
    await train(tinyConfig(tiny.model, { steps: PARITY_STEPS, valEvery: PARITY_STEPS, device, threads: 1 }), {
      onStep: (r) => {
        run.push({ step: r.step, metrics: Object.fromEntries(Object.entries(r.metrics).filter(([k]) => !TIMING.has(k))) });
      },
    });
    return { device, fixed, run };
  } finally {
    tiny.remove();
  }
}

async function fixedPart(modelDir: string, device: Device): Promise<ParityRun["fixed"]> {
  const { manifest, config, params: initial } = readModelDir(modelDir);
  const level = manifest.provenance.details?.difficulty;
  const task = getTask("arith", typeof level === "number" ? level : undefined);
  const { val } = task.makeSplits({ seed: DATA_SEED, trainSize: 32, valSize: 16 });
  const rng = new Rng(0, "parity");
  const examples = val.map((p) => {
    const ex = task.solvedExample(p, rng);
    return encodeExample(ex.prompt, ex.response);
  });
  const tokens = examples.map((e) => e.tokens);
  const starts = examples.map((e) => e.responseStart);
  const mask = tokens.map((row, i) => row.map((_, t) => (t >= starts[i]! ? 1 : 0)));
  const advantages = tokens.map((_, i) => (i % 3 === 0 ? -1 : 0.5));
  const policy = await createPolicySession(config, { device, threads: 1 });
  try {
    const aligned = async (p: Params) => (await policy.score(p, tokens, starts)).map((s, i) => {
      const row = new Float32Array(tokens[i]!.length);
      row.set(s.logprob, starts[i]);
      return { row, scores: s };
    });
    const initialLp = (await aligned(initial)).map((r) => r.row);
    const params: Params = new Map([...initial].map(([k, v]) => [k, v.slice()]));
    const optimizer = new AdamW({ weightDecay: 0.01 });
    const out: ParityRun["fixed"] = [];
    for (let k = 0; k < PARITY_STEPS; k++) {
      const scored = await aligned(params);
      const nTok = scored.reduce((n, r) => n + r.scores.logprob.length, 0);
      const sum = (f: (s: (typeof scored)[number]["scores"]) => Float32Array) => scored.reduce((n, r) => n + f(r.scores).reduce((a, b) => a + b, 0), 0);
      const u = await policy.grpoStep(params, { tokens, responseMask: mask, oldLogprobs: initialLp, refLogprobs: initialLp, advantages }, { clipEps: 0.2, klCoef: 0.05, maxGradNorm: 1, temperature: 1 });
      optimizer.update(params, u.grads, 3e-3);
      out.push({
        update: k + 1,
        mean_logprob: sum((s) => s.logprob) / nTok,
        mean_entropy: sum((s) => s.entropy) / nTok,
        mean_self_certainty: sum((s) => s.selfCertainty) / nTok,
        loss: u.loss, pg_loss: u.pgLoss, kl: u.kl, clip_frac: u.clipFrac, entropy: u.entropy, grad_norm: u.gradNorm,
      });
    }
    return out;
  } finally {
    await policy.release();
  }
}

export interface Mismatch {
  where: string;
  key: string;
  got: number;
  want: number;
}

export interface Comparison {
  label: string;
  mismatches: Mismatch[];
  /** The first run step whose rollouts differ (its discrete metrics do), or null. */
  divergedAt: number | null;
  comparedValues: number;
  ok: boolean;
}

function close(key: string, got: number, want: number): boolean {
  if (Number.isNaN(got) || Number.isNaN(want)) return Number.isNaN(got) && Number.isNaN(want);
  const abs = key === "clip_frac" || key === METRICS.clipFrac ? TOLERANCE.clipFracAbs : TOLERANCE.abs;
  return Math.abs(got - want) <= abs + TOLERANCE.rel * Math.abs(want);
}

/** `got` against `want` by the rules at the top of this file. */
export function compareRuns(label: string, got: ParityRun, want: ParityRun): Comparison {
  const mismatches: Mismatch[] = [];
  let compared = 0;
  const cmp = (where: string, g: Record<string, number>, w: Record<string, number>, keys: Iterable<string>) => {
    for (const key of keys) {
      compared++;
      const a = g[key], b = w[key];
      if (a === undefined || b === undefined) mismatches.push({ where, key, got: a ?? NaN, want: b ?? NaN });
      else if (!close(key, a, b)) mismatches.push({ where, key, got: a, want: b });
    }
  };
  if (got.fixed.length !== want.fixed.length) mismatches.push({ where: "fixed", key: "updates", got: got.fixed.length, want: want.fixed.length });
  got.fixed.forEach((g, i) => want.fixed[i] && cmp(`fixed update ${i + 1}`, g, want.fixed[i]!, Object.keys(want.fixed[i]!)));
  let divergedAt: number | null = null;
  if (got.run.length !== want.run.length) mismatches.push({ where: "run", key: "steps", got: got.run.length, want: want.run.length });
  for (const w of want.run) {
    const g = got.run.find((r) => r.step === w.step);
    if (!g) continue;
    const keys = Object.keys(w.metrics);
    if (keys.some((k) => DISCRETE.has(k) && g.metrics[k] !== w.metrics[k])) {
      divergedAt = w.step;
      break;
    }
    cmp(`run step ${w.step}`, g.metrics, w.metrics, keys);
  }
  // Diverging at step 0 means the initial policy's samples already differ: nothing of the run was
  // comparable, which the check does not accept.
  const ok = mismatches.length === 0 && divergedAt !== 0;
  return { label, mismatches, divergedAt, comparedValues: compared, ok };
}

export interface ParityCheck {
  device: Device;
  comparisons: Comparison[];
  ok: boolean;
}

export function readReference(): ParityReference {
  return JSON.parse(readFileSync(REFERENCE_PATH, "utf8")) as ParityReference;
}

/** CPU against the reference; for a GPU device also the device against this CPU run. */
export async function checkParity(device: Device): Promise<ParityCheck> {
  const cpu = await parityRun("cpu");
  const comparisons = [compareRuns("cpu vs recorded reference", cpu, readReference())];
  if (device !== "cpu") comparisons.push(compareRuns(`${device} vs cpu`, await parityRun(device), cpu));
  return { device, comparisons, ok: comparisons.every((c) => c.ok) };
}

export async function recordReference(): Promise<string> {
  const run = await parityRun("cpu");
  const ref: ParityReference = {
    recorded: { node: process.version, onnxruntime: ort.env.versions.node ?? "?", cpu: os.cpus()[0]?.model ?? "?", threads: 1 },
    ...run,
  };
  writeFileSync(REFERENCE_PATH, `${JSON.stringify(ref, null, 1)}\n`);
  return REFERENCE_FILE;
}

export function formatParity(p: ParityCheck): string[] {
  const lines = [`parity (${PARITY_STEPS} teacher-forced updates + ${PARITY_STEPS} training steps; tolerance rel ${TOLERANCE.rel}, abs ${TOLERANCE.abs}):`];
  for (const c of p.comparisons) {
    const div = c.divergedAt === null ? "rollouts identical throughout" : `rollouts diverge at step ${c.divergedAt} (not judged from there)`;
    lines.push(`  ${c.label}: ${c.ok ? "ok" : "FAILED"}, ${c.comparedValues - c.mismatches.length}/${c.comparedValues} values within tolerance; ${div}`);
    for (const m of c.mismatches.slice(0, 10)) lines.push(`    ${m.where} ${m.key}: got ${m.got}, want ${m.want}`);
    if (c.mismatches.length > 10) lines.push(`    ... ${c.mismatches.length - 10} more`);
  }
  lines.push(p.ok ? "parity: ok" : "parity: FAILED");
  return lines;
}
