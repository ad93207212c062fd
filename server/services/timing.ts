// Time, everywhere a user waits: how long a running run has left, where a queued run stands and
// when it should start, and how long a grid about to be launched will take. Every estimate comes
// from the measured pace of runs (wall time per step, validations included; finished runs, and
// running ones past their first step) and the live runners' slots, and says how it was made; with
// nothing measured it says so instead of guessing.
import "server-only";
import type { PrismaClient } from "../db/prisma";
import { viaPrisma } from "../db/sql";
import { selectPaceHistory } from "../sql/select-pace-history";
import { RUNNER_ALIVE_MS } from "./health";
import { ACTIVE_STATUSES } from "../schemas/runs";

/** Runs whose pace counts, per base model: the most recent ones (the machine may have changed). */
const PACE_SAMPLES = 20;

export interface Pace {
  /** Wall seconds per training step, validations and start-up included. */
  secondsPerStep: number;
  /** How the figure was obtained, for the page to say. */
  basis: string;
}

interface MeasuredRun {
  baseModelId: string;
  paramCount: number;
  rollouts: number;
  secondsPerStep: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * The pace of a run of `model` (its parameters) at `rollouts` per step, from measured runs: the
 * median of the same model at the same batch; else the same model scaled by rollouts; else every
 * model scaled by parameters x rollouts (work per step grows about linearly with both). null when
 * no run has taken a step yet.
 */
export function estimatePace(history: readonly MeasuredRun[], model: { id: string; paramCount: number }, rollouts: number): Pace | null {
  const plural = (n: number) => `${n} measured run${n === 1 ? "" : "s"}`;
  const same = history.filter((h) => h.baseModelId === model.id && h.rollouts === rollouts);
  if (same.length > 0) {
    return { secondsPerStep: median(same.map((h) => h.secondsPerStep)), basis: `${plural(same.length)} of this model at ${rollouts} rollouts per step` };
  }
  const sameModel = history.filter((h) => h.baseModelId === model.id);
  if (sameModel.length > 0) {
    return {
      secondsPerStep: median(sameModel.map((h) => (h.secondsPerStep * rollouts) / h.rollouts)),
      basis: `${plural(sameModel.length)} of this model, scaled to ${rollouts} rollouts per step`,
    };
  }
  if (history.length > 0) {
    return {
      secondsPerStep: median(history.map((h) => (h.secondsPerStep * rollouts * model.paramCount) / (h.rollouts * h.paramCount))),
      basis: `${plural(history.length)} of other models, scaled by parameters and rollouts per step`,
    };
  }
  return null;
}

/**
 * The runs the paces come from, the newest PACE_SAMPLES per base model: finished ones, and running
 * ones past their first step (so the first grid on a fresh database gets estimates once any of its
 * runs has started; their pace so far includes start-up and the initial evaluation, so it errs long).
 */
export async function loadPaceHistory(prisma: PrismaClient, now = new Date()): Promise<MeasuredRun[]> {
  const rows = await selectPaceHistory(viaPrisma(prisma), now, PACE_SAMPLES);
  return rows.map((r) => ({
    baseModelId: r.baseModelId,
    paramCount: r.paramCount,
    rollouts: rolloutsPerStep(r.config),
    secondsPerStep: r.seconds / r.steps,
  }));
}

/** Rollouts per step of a run config (the engine's defaults where it says nothing). */
export function rolloutsPerStep(config: unknown): number {
  const c = (config && typeof config === "object" ? config : {}) as Record<string, unknown>;
  const n = (v: unknown, d: number) => (typeof v === "number" && v > 0 ? v : d);
  return n(c.groupSize, 8) * n(c.promptsPerStep, 32);
}

/** A running run's time left at its own pace so far; null before its first step. */
export function secondsLeft(run: { currentStep: number; totalSteps: number; startedAt: Date | null }, now: Date): number | null {
  if (!run.startedAt || run.currentStep <= 0) return null;
  const pace = (now.getTime() - run.startedAt.getTime()) / 1000 / run.currentStep;
  return Math.max(0, run.totalSteps - run.currentStep) * pace;
}

/** What the runs pages show under a run's progress: time left, or its place in the queue. */
export type RunWait = { secondsLeft: number | null } | { position: number; startsIn: number | null; liveSlots: number };

export interface QueueSlot {
  /** 1 = the next run a runner claims. */
  position: number;
  /** Seconds until a slot should be free for it; null when a run ahead has no estimate or no runner is live. */
  startsIn: number | null;
}

/**
 * Queued runs in claim order, each started on the slot that frees first: slots busy with a running
 * run free up when it should end, idle ones at once; each started run holds its slot for its
 * estimated duration. Without live slots, or once one run ahead has no estimate, the rest is unknown.
 */
export function scheduleQueue(
  slots: number,
  running: ReadonlyArray<number | null>,
  queued: ReadonlyArray<{ id: string; seconds: number | null }>,
): Map<string, QueueSlot> {
  const out = new Map<string, QueueSlot>();
  const free = Array.from({ length: slots }, (_, i) => (i < running.length ? running[i]! : 0));
  let known = slots > 0 && free.every((t) => t !== null);
  queued.forEach((q, i) => {
    if (!known) return void out.set(q.id, { position: i + 1, startsIn: null });
    const times = free as number[];
    const k = times.indexOf(Math.min(...times));
    out.set(q.id, { position: i + 1, startsIn: times[k]! });
    if (q.seconds === null) known = false;
    else times[k] = times[k]! + q.seconds;
  });
  return out;
}

export interface QueueState {
  /** Slots of the runners alive now. */
  slots: number;
  /** Expected end of every running run (seconds), and queue position / start of every queued one. */
  running: Map<string, number | null>;
  queued: Map<string, QueueSlot>;
  /** The queued runs in claim order with their estimated durations (what a new launch queues behind). */
  queuedRuns: Array<{ id: string; seconds: number | null }>;
  history: MeasuredRun[];
  /** Parameters per base model id. */
  params: Map<string, number>;
}

/** The whole queue as the runners will work through it, for the runs table, a run's page and the launch preview. */
export async function loadQueueState(prisma: PrismaClient, now = new Date()): Promise<QueueState> {
  const [runners, active, history, models] = await Promise.all([
    prisma.runner.findMany({ where: { lastSeenAt: { gt: new Date(now.getTime() - RUNNER_ALIVE_MS) } }, select: { slots: true } }),
    prisma.run.findMany({
      where: { status: { in: [...ACTIVE_STATUSES] } },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { id: true, status: true, baseModelId: true, config: true, currentStep: true, totalSteps: true, startedAt: true },
    }),
    loadPaceHistory(prisma, now),
    prisma.baseModel.findMany({ select: { id: true, paramCount: true } }),
  ]);
  const params = new Map(models.map((m) => [m.id, Number(m.paramCount)]));
  const paceOf = (r: (typeof active)[number]) => estimatePace(history, { id: r.baseModelId, paramCount: params.get(r.baseModelId) ?? 0 }, rolloutsPerStep(r.config));
  const slots = runners.reduce((s, r) => s + r.slots, 0);
  const running = new Map<string, number | null>();
  for (const r of active.filter((r) => r.status === "RUNNING")) {
    // Before its first step a run has no pace of its own: its model's measured one stands in.
    const pace = paceOf(r);
    running.set(r.id, secondsLeft(r, now) ?? (pace ? pace.secondsPerStep * (r.totalSteps - r.currentStep) : null));
  }
  const queuedRuns = active.filter((r) => r.status === "QUEUED").map((r) => {
    const pace = paceOf(r);
    return { id: r.id, seconds: pace ? pace.secondsPerStep * r.totalSteps : null };
  });
  return { slots, running, queued: scheduleQueue(slots, [...running.values()], queuedRuns), queuedRuns, history, params };
}

export interface LaunchEstimate {
  /** Seconds until the last run of the grid should finish, after what is queued now; null when unknown. */
  seconds: number | null;
  /** Sum of the grid's runs' estimated durations (one slot's worth of work). */
  workSeconds: number | null;
  slots: number;
  /** How it was estimated, per model: "arith-small: 0.62 s per step, from 12 measured runs of ...". */
  basis: string[];
}

/**
 * How long a grid about to be launched will take: each run's duration from its model's measured
 * pace, queued after every run waiting now, on the live runners' slots.
 */
export async function estimateLaunch(
  prisma: PrismaClient,
  grid: { baseModelIds: readonly string[]; runsPerModel: number; steps: number; rolloutsPerStep: number },
  now = new Date(),
): Promise<LaunchEstimate> {
  const state = await loadQueueState(prisma, now);
  const names = new Map((await prisma.baseModel.findMany({ where: { id: { in: [...grid.baseModelIds] } }, select: { id: true, name: true } })).map((m) => [m.id, m.name]));
  const basis: string[] = [];
  const runs: Array<{ id: string; seconds: number | null }> = [];
  for (const id of grid.baseModelIds) {
    const pace = estimatePace(state.history, { id, paramCount: state.params.get(id) ?? 0 }, grid.rolloutsPerStep);
    basis.push(pace ? `${names.get(id) ?? id}: ${pace.secondsPerStep.toFixed(2)} s per step, from ${pace.basis}` : `${names.get(id) ?? id}: no run has taken a step yet to measure a pace from`);
    for (let i = 0; i < grid.runsPerModel; i++) runs.push({ id: `${id}/${i}`, seconds: pace ? pace.secondsPerStep * grid.steps : null });
  }
  const known = runs.every((r) => r.seconds !== null);
  const schedule = scheduleQueue(state.slots, [...state.running.values()], [...state.queuedRuns, ...runs]);
  let seconds: number | null = known && state.slots > 0 ? 0 : null;
  for (const r of runs) {
    const start = schedule.get(r.id)?.startsIn ?? null;
    if (seconds !== null && start !== null) seconds = Math.max(seconds, start + r.seconds!);
    else seconds = null;
  }
  return { seconds, workSeconds: known ? runs.reduce((s, r) => s + r.seconds!, 0) : null, slots: state.slots, basis };
}

/** A run's wait in a queue state (null when it is neither running nor queued). */
export function waitOf(q: QueueState, id: string): RunWait | null {
  if (q.running.has(id)) return { secondsLeft: q.running.get(id)! };
  const slot = q.queued.get(id);
  return slot ? { position: slot.position, startsIn: slot.startsIn, liveSlots: q.slots } : null;
}

/** One run's wait (null when it is neither running nor queued). */
export async function runWait(prisma: PrismaClient, id: string, now = new Date()): Promise<RunWait | null> {
  return waitOf(await loadQueueState(prisma, now), id);
}
