// The URLVR training loop: GRPO on a base model with one reward method. Each step samples G
// rollouts for each of P fresh prompts (the sampler returns each token's log-prob under the
// distribution it drew from: the "old" policy of the ratio, so no scoring pass is needed), turns
// the method's rewards into group-normalized advantages, takes one clipped policy-gradient step with
// AdamW, and reports every DESIGN.md metric through the hooks. Validation: a light one every
// `valEvery` steps for the curves; the full evaluation at step 0 (reused across runs through the
// eval cache) and at the last three validations, the figures GT gain is computed from.
import { readModelDir } from "../io/manifest";
import { groupAdvantages } from "../metrics/advantages";
import { labelAccuracy, majorityRatio, mean, passAtN, rewardAccuracy } from "../metrics/group-metrics";
import { METRICS } from "../metrics/metric-names";
import { meanRepetition } from "../metrics/sampling";
import type { Params } from "../model/config";
import { createPolicySession } from "../model/policy";
import { PolicyPool, type TrainingPolicy } from "../model/policy-pool";
import { AdamW } from "../optim/adamw";
import { learningRate, type LrSchedule } from "../optim/schedule";
import { getRewardMethod } from "../rewards/registry";
import type { RolloutInfo } from "../rewards/rollout";
import { getTask } from "../tasks/registry";
import type { Problem, Task } from "../tasks/task";
import { Rng } from "../util/rng";
import type { StepRecord, TrainHooks, TrainResult } from "./api";
import { decodeCheckpoint, encodeCheckpoint } from "./checkpoint";
import { effectiveDatasetSize, fullEvaluationSteps, trainConfigSchema, type TrainConfig, type TrainConfigInput } from "./config";
import { DATA_SEED, HELD_OUT } from "./data";
import { DataOrder } from "./data-order";
import { evalCacheKey } from "./eval-cache";
import { evaluatePolicy, evaluationMetrics } from "./evaluate";
import { checkModelDir, resolveModelDir } from "./model-dir";
import { sampleGroups, sequenceOf, verificationProbabilities } from "./rollouts";

export { DATA_SEED };

/**
 * With no KL loss the reference policy's log-probs serve only the actor/kl_ref metric, so the
 * reference pass runs every this many steps (and at the last), not every step.
 */
export const KL_METRIC_EVERY = 10;

export interface PreparedRun {
  config: TrainConfig;
  task: Task;
  train: Problem[];
  /** The full evaluation's prompts; the light validation uses the first config.valSize. */
  val: Problem[];
  policy: TrainingPolicy;
  initialParams: Params;
  weightsSha256: string;
}

/**
 * Loads the model, the task and its splits, and opens the policy's sessions. `modelDir`: the model's
 * folder when the caller knows it; else config.model is resolved as the command line names models.
 */
export async function prepareRun(config: TrainConfig, modelDir?: string): Promise<PreparedRun> {
  const dir = modelDir === undefined ? resolveModelDir(config.model) : checkModelDir(modelDir);
  const { manifest, config: modelConfig, params } = readModelDir(dir);
  const pretrainedLevel = manifest.provenance.details?.difficulty;
  const task = getTask(config.task, config.difficulty ?? (typeof pretrainedLevel === "number" ? pretrainedLevel : undefined));
  if (task.recommendedContext > modelConfig.context) {
    throw new Error(
      `${config.task} level ${task.difficulty} needs a context of ${task.recommendedContext} tokens; model ${config.model} has ${modelConfig.context}`,
    );
  }
  // Test-time training trains on exactly the prompts it is evaluated on.
  const splits = task.makeSplits({ seed: DATA_SEED, trainSize: config.trainOnValidation ? 1 : effectiveDatasetSize(config), valSize: HELD_OUT });
  const val = splits.val.slice(0, config.fullValSize);
  const policy: TrainingPolicy = config.workers > 1
    ? await PolicyPool.create(modelConfig, config.workers, { device: config.device, threads: config.threads || 1 })
    : await createPolicySession(modelConfig, { device: config.device, threads: config.threads || undefined });
  return {
    config,
    task,
    train: config.trainOnValidation ? val : splits.train,
    val,
    policy,
    initialParams: params,
    weightsSha256: manifest.weights.sha256,
  };
}

function schedule(c: TrainConfig): LrSchedule {
  return c.lrSchedule === "cosine"
    ? { kind: "cosine", peakLr: c.lr, warmupSteps: Math.min(c.warmupSteps, c.steps), totalSteps: c.steps }
    : { kind: "constant", lr: c.lr };
}

const clone = (p: Params): Params => new Map([...p].map(([k, v]) => [k, v.slice()]));

/**
 * Trains one run. `resume` is a checkpoint from `hooks.onCheckpoint` of the same config; `modelDir`
 * the base model's folder (see prepareRun).
 */
export async function train(input: TrainConfigInput, hooks: TrainHooks = {}, resume?: Uint8Array, modelDir?: string): Promise<TrainResult> {
  const config = trainConfigSchema.parse(input);
  const run = await prepareRun(config, modelDir);
  try {
    return await trainPrepared(run, hooks, resume);
  } finally {
    await run.policy.release();
  }
}

export async function trainPrepared(run: PreparedRun, hooks: TrainHooks, resume?: Uint8Array): Promise<TrainResult> {
  const { config: c, task, policy } = run;
  const configKey = JSON.stringify(c);
  const method = getRewardMethod(c.reward);
  const reference = run.initialParams;
  const optimizer = new AdamW({ weightDecay: c.weightDecay });
  const lrSchedule = schedule(c);
  let params = clone(reference);
  let step = 0;
  let rng = Rng.derive(c.seed, "sample");
  const order = new DataOrder(run.train.length, c.seed);

  if (resume) {
    const ck = decodeCheckpoint(resume);
    if (ck.meta.configKey !== configKey) throw new Error("the checkpoint belongs to a run with a different config");
    params = ck.params;
    optimizer.loadStateTensors(ck.meta.optimizerStep, ck.optimizerTensors);
    step = ck.meta.step;
    order.cursor = ck.meta.cursor;
    rng = Rng.fromState(ck.meta.rng);
    hooks.onLog?.(`resumed from the checkpoint of step ${step}`);
  }

  const checkpoint = async () => {
    if (!hooks.onCheckpoint) return;
    const bytes = encodeCheckpoint(policy.config, { step, cursor: order.cursor, rng: rng.getState(), params, optimizer }, configKey);
    await hooks.onCheckpoint(step, bytes);
  };

  const fullAt = new Set(fullEvaluationSteps(c));
  const validate = async (full: boolean): Promise<Record<string, number>> => {
    // Every validation draws from the same stream of the data seed, not the run's: validating never
    // shifts the training samples (resume equality), runs of one model share their step-0 figures,
    // and a gain compares the policies on common random numbers.
    const ev = await evaluatePolicy(policy, params, task, full ? run.val : run.val.slice(0, Math.min(c.valSize, c.fullValSize)), {
      k: c.valK, temperature: c.valTemperature, topP: c.valTopP, maxNewTokens: c.maxNewTokens, rng: Rng.derive(DATA_SEED, "validation"),
      onChunk: hooks.onProgress,
    });
    return evaluationMetrics(ev);
  };

  if (step === 0 && c.valEvery > 0) {
    const key = evalCacheKey({
      weightsSha256: run.weightsSha256, task: task.name, difficulty: task.difficulty, prompts: run.val.length, k: c.valK,
      temperature: c.valTemperature, topP: c.valTopP, maxNewTokens: c.maxNewTokens, device: c.device, workers: c.workers,
    });
    let initial = hooks.evalCache?.get(key);
    if (initial) {
      hooks.onLog?.(`initial evaluation of the base model reused from the cache (${run.val.length} prompts, avg@${c.valK})`);
    } else {
      hooks.onLog?.(`evaluating the base model on ${run.val.length} held-out prompts (avg@${c.valK}, greedy, pass@${c.valK}, maj@${c.valK})`);
      initial = await validate(true);
      hooks.evalCache?.put(key, initial);
    }
    await hooks.onStep?.({ step: 0, metrics: initial, wallTime: Date.now() });
  }

  while (step < c.steps) {
    if (hooks.signal?.aborted) {
      await checkpoint();
      return { lastStep: step, stopped: true };
    }
    const t0 = performance.now();
    const problems = order.take(c.promptsPerStep).map((i) => run.train[i]!);
    const sampled = await sampleGroups(policy, params, task, problems, { ...c, rng });
    // Token-aligned rows over the whole sequence: index t concerns token t.
    const tokens = sampled.map(sequenceOf);
    const starts = sampled.map((r) => r.prompt.length);
    const klMeasured = c.klCoef > 0 || (step + 1) % KL_METRIC_EVERY === 0 || step + 1 === c.steps;
    const [refScores, verifyProbs] = await Promise.all([
      klMeasured ? policy.score(reference, tokens, starts, c.temperature) : Promise.resolve(null),
      method.needsVerification ? verificationProbabilities(policy, params, task, sampled) : Promise.resolve([]),
    ]);

    const infos: RolloutInfo[] = sampled.map((r, i) => ({
      answer: r.answer,
      correct: r.correct,
      logprobs: r.scores.logprob,
      entropies: r.scores.entropy,
      selfCertainties: r.scores.selfCertainty,
      verifyProb: verifyProbs[i],
    }));
    const proxy: number[] = [];
    for (let g = 0; g < infos.length; g += c.groupSize) proxy.push(...method.reward(infos.slice(g, g + c.groupSize)));
    const truth = sampled.map((r) => (r.correct ? 1 : 0));
    const advantages = groupAdvantages(proxy, c.groupSize);

    const responseMask = tokens.map((row, i) => row.map((_, t) => (t >= starts[i]! ? 1 : 0)));
    const aligned = (i: number, values: ArrayLike<number>) => {
      const row = new Float32Array(tokens[i]!.length);
      row.set(values, starts[i]);
      return row;
    };
    const lr = learningRate(lrSchedule, step);
    const update = await policy.grpoStep(
      params,
      {
        tokens,
        responseMask,
        oldLogprobs: sampled.map((r, i) => aligned(i, r.scores.logprob)),
        // Without a reference pass the KL term is 0 x KL to the old policy (klCoef is 0 then).
        refLogprobs: (refScores ?? sampled.map((r) => r.scores)).map((s, i) => aligned(i, s.logprob)),
        advantages,
      },
      { clipEps: c.clipEps, klCoef: c.klCoef, maxGradNorm: c.maxGradNorm, temperature: c.temperature },
    );
    optimizer.update(params, update.grads, lr);
    step += 1;

    const groups = [];
    for (let g = 0; g < sampled.length; g += c.groupSize) groups.push(sampled.slice(g, g + c.groupSize));
    const sampledTokens = sampled.reduce((n, r) => n + r.response.length, 0);
    const trainedTokens = tokens.reduce((n, t) => n + t.length, 0);
    const seconds = (performance.now() - t0) / 1000;
    const metrics: Record<string, number> = {
      [METRICS.rewardAccuracy]: rewardAccuracy(proxy, truth, c.groupSize, method.binary),
      [METRICS.labelAccuracy]: labelAccuracy(groups),
      [METRICS.majorityRatio]: majorityRatio(groups),
      [METRICS.groundTruthReward]: mean(truth),
      [METRICS.proxyReward]: mean(proxy),
      [METRICS.passAtN]: passAtN(groups),
      [METRICS.entropy]: update.entropy,
      ...(klMeasured ? { [METRICS.klRef]: update.kl } : {}),
      [METRICS.pgLoss]: update.pgLoss,
      [METRICS.gradNorm]: update.gradNorm,
      [METRICS.lr]: lr,
      [METRICS.clipFrac]: update.clipFrac,
      [METRICS.lengthMean]: sampledTokens / sampled.length,
      [METRICS.repetition]: meanRepetition(sampled.map((r) => r.response)),
      [METRICS.clipRatio]: sampled.filter((r) => r.truncated).length / sampled.length,
      [METRICS.stepSeconds]: seconds,
      [METRICS.tokensPerSecond]: (sampledTokens + trainedTokens) / seconds,
    };
    if (c.valEvery > 0 && (step % c.valEvery === 0 || step === c.steps)) Object.assign(metrics, await validate(fullAt.has(step)));
    const record: StepRecord = { step, metrics, wallTime: Date.now() };
    await hooks.onStep?.(record);
    if (step % c.checkpointEvery === 0 || step === c.steps) await checkpoint();
  }
  return { lastStep: step, stopped: false };
}
