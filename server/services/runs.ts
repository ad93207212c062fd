/**
 * The runs table and one run's page: listing with server-side filters, sort and pagination (values
 * from MetricSummary, never from MetricPoint), a run's details and log tail, cancel and re-queue.
 */
import "server-only";
import type { Prisma } from "../db/generated/client";
import type { PrismaClient } from "../db/prisma";
import { deleteRuns as deleteRunRows, restoreRuns as restoreRunRows } from "../db/lifecycle";
import { viaPrisma } from "../db/sql";
import { selectExperimentTags } from "../sql/select-experiment-tags";
import { notFound } from "../errors";
import { METRICS, type MetricName } from "@/runner/engine/metrics/metric-names";
import { FINISHED_STATUSES, type ListRunsQuery, type RunFilter, type RunSort } from "../schemas/runs";

/** The metrics the runs table shows as "last (best)"; best is the maximum (all are higher-is-better). */
export const TABLE_METRICS: readonly MetricName[] = [
  METRICS.rewardAccuracy,
  METRICS.groundTruthReward,
  METRICS.proxyReward,
  METRICS.valAccuracy,
];

const runNotFound = (ids: readonly string[]) => notFound(ids.length === 1 ? `No run with id ${ids[0]}` : `No runs with ids ${ids.join(", ")}`);

/** Refuses the whole change when any id names no run, so a typo never passes as "0 changed". */
async function requireRuns(tx: Pick<PrismaClient, "run">, ids: readonly string[]): Promise<void> {
  const found = await tx.run.findMany({ where: { id: { in: [...ids] } }, select: { id: true } });
  const known = new Set(found.map((r) => r.id));
  const missing = [...new Set(ids)].filter((id) => !known.has(id));
  if (missing.length > 0) throw runNotFound(missing);
}

function orderBy(sort: RunSort, dir: "asc" | "desc"): Prisma.RunOrderByWithRelationInput[] {
  const primary: Prisma.RunOrderByWithRelationInput = {
    created: { createdAt: dir },
    status: { status: dir },
    model: { baseModel: { name: dir } },
    reward: { rewardMethod: dir },
    progress: { currentStep: dir },
    mcs: { mcsStep: { sort: dir, nulls: "last" } },
    datasetSize: { datasetSize: dir },
    seed: { seed: dir },
  }[sort] as Prisma.RunOrderByWithRelationInput;
  // A total order, so pages never repeat or skip a run.
  return [primary, { createdAt: "desc" }, { id: "asc" }];
}

/** The table's filter inputs (one value each, an experiment by id) as a RunFilter. */
export function tableRunFilter(q: Pick<ListRunsQuery, "status" | "model" | "reward" | "experiment" | "tag" | "view">): RunFilter {
  return {
    view: q.view,
    status: q.status ? [q.status] : undefined,
    baseModel: q.model ? [q.model] : undefined,
    method: q.reward ? [q.reward] : undefined,
    experiment: q.experiment ? { id: q.experiment } : undefined,
    tag: q.tag || undefined,
  };
}

/**
 * A RunFilter as a Prisma `where`, with the meaning written at RunFilter (server/schemas/runs.ts);
 * the runs CSV gives the same meaning in SQL (server/sql/select-runs-export-page.ts), and
 * runs.test.ts checks that both select the same runs.
 */
export function runsWhere(f: RunFilter): Prisma.RunWhereInput {
  // Relation filters on the experiment are inner: a run without one matches neither a name nor a tag.
  const experiment: Prisma.ExperimentWhereInput = {
    ...(f.experiment && "name" in f.experiment ? { name: f.experiment.name } : {}),
    ...(f.tag ? { tags: { has: f.tag } } : {}),
  };
  return {
    deletedAt: f.view === "deleted" ? { not: null } : null,
    ...(f.status?.length ? { status: { in: [...f.status] } } : {}),
    ...(f.baseModel?.length ? { baseModel: { name: { in: [...f.baseModel] } } } : {}),
    ...(f.method?.length ? { rewardMethod: { in: [...f.method] } } : {}),
    ...(f.experiment && "id" in f.experiment ? { experimentId: f.experiment.id } : {}),
    ...(Object.keys(experiment).length > 0 ? { experiment } : {}),
  };
}

export interface MetricCell {
  last: number;
  lastStep: number;
  best: number | null;
}

export async function listRuns(prisma: PrismaClient, q: ListRunsQuery) {
  const where = runsWhere(tableRunFilter(q));
  const [total, rows] = await Promise.all([
    prisma.run.count({ where }),
    prisma.run.findMany({
      where,
      orderBy: orderBy(q.sort, q.dir),
      skip: (q.page - 1) * q.pageSize,
      take: q.pageSize,
      select: {
        id: true,
        status: true,
        cancelRequested: true,
        rewardMethod: true,
        task: true,
        datasetSize: true,
        seed: true,
        currentStep: true,
        totalSteps: true,
        mcsStep: true,
        mcsCensored: true,
        createdAt: true,
        startedAt: true,
        finishedAt: true,
        baseModel: { select: { id: true, name: true } },
        experiment: { select: { id: true, name: true, tags: true } },
        summaries: { where: { key: { in: [...TABLE_METRICS] } }, select: { key: true, last: true, lastStep: true, max: true } },
      },
    }),
  ]);
  return {
    total,
    page: q.page,
    pageSize: q.pageSize,
    pages: Math.max(1, Math.ceil(total / q.pageSize)),
    runs: rows.map(({ summaries, ...r }) => ({
      ...r,
      metrics: Object.fromEntries(summaries.map((s) => [s.key, { last: s.last, lastStep: s.lastStep, best: s.max }])) as Partial<
        Record<MetricName, MetricCell>
      >,
    })),
  };
}
export type RunsPage = Awaited<ReturnType<typeof listRuns>>;
export type RunRow = RunsPage["runs"][number];

/** The choices of the filter bar: base models, reward methods in use, recent experiments, tags. */
export async function runFilterOptions(prisma: PrismaClient) {
  const [models, experiments, tags] = await Promise.all([
    prisma.baseModel.findMany({ select: { id: true, name: true }, orderBy: { name: "asc" } }),
    prisma.experiment.findMany({ where: { deletedAt: null }, select: { id: true, name: true, createdAt: true }, orderBy: { createdAt: "desc" }, take: 200 }),
    selectExperimentTags(viaPrisma(prisma)),
  ]);
  return { models, experiments, tags };
}

export async function getRun(prisma: PrismaClient, id: string) {
  const run = await prisma.run.findUnique({
    where: { id },
    select: {
      id: true,
      status: true,
      cancelRequested: true,
      rewardMethod: true,
      task: true,
      datasetSize: true,
      seed: true,
      config: true,
      runnerId: true,
      heartbeatAt: true,
      leaseExpiresAt: true,
      attempts: true,
      maxAttempts: true,
      currentStep: true,
      totalSteps: true,
      createdAt: true,
      startedAt: true,
      finishedAt: true,
      error: true,
      checkpointStep: true,
      mcsStep: true,
      mcsCensored: true,
      deletedAt: true,
      baseModel: { select: { id: true, name: true, family: true, external: true } },
      experiment: { select: { id: true, name: true, notes: true, tags: true } },
      runner: { select: { id: true, host: true, devices: true, lastSeenAt: true } },
      summaries: { select: { key: true, last: true, lastStep: true, min: true, max: true, count: true }, orderBy: { key: "asc" } },
    },
  });
  if (!run) throw runNotFound([id]);
  return run;
}
export type RunDetails = Awaited<ReturnType<typeof getRun>>;

/** The newest `limit` log lines of a run, oldest first. */
export async function runEventsTail(prisma: PrismaClient, runId: string, limit = 200) {
  const events = await prisma.runEvent.findMany({ where: { runId }, orderBy: { id: "desc" }, take: limit });
  return events.reverse().map((e) => ({ id: Number(e.id), time: e.time, level: e.level, message: e.message }));
}

/**
 * Cancel: a QUEUED run becomes CANCELED at once (no runner holds it; the claim statement would also
 * skip it); a RUNNING run gets cancelRequested and its runner stops it within seconds. Finished runs
 * are left as they are. Each update is one statement with its status in the WHERE clause, so a run
 * that a runner claims in between is caught by the second one.
 */
export async function cancelRuns(prisma: PrismaClient, ids: string[]) {
  return prisma.$transaction(async (tx) => {
    await requireRuns(tx, ids);
    const canceled = await tx.run.updateMany({
      where: { id: { in: ids }, status: "QUEUED" },
      data: { status: "CANCELED", cancelRequested: true, finishedAt: new Date() },
    });
    const requested = await tx.run.updateMany({ where: { id: { in: ids }, status: "RUNNING" }, data: { cancelRequested: true } });
    return { canceled: canceled.count, stopping: requested.count };
  });
}

/**
 * Re-queue makes a FRESH QUEUED COPY of each finished run (SUCCEEDED, FAILED, CANCELED, CRASHED):
 * same experiment, base model, reward method, task, dataset size, seed and config; new id, no metrics,
 * no checkpoint. The original keeps its history (its curves, MCS and log stay comparable), which a
 * reset in place would destroy. Runs still QUEUED or RUNNING are skipped.
 */
export async function requeueRuns(prisma: PrismaClient, ids: string[]) {
  return prisma.$transaction(async (tx) => {
    await requireRuns(tx, ids);
    const originals = await tx.run.findMany({
      where: { id: { in: ids }, status: { in: [...FINISHED_STATUSES] } },
      orderBy: { createdAt: "asc" },
    });
    const copies: Array<{ from: string; id: string }> = [];
    for (const r of originals) {
      const copy = await tx.run.create({
        data: {
          experimentId: r.experimentId,
          baseModelId: r.baseModelId,
          rewardMethod: r.rewardMethod,
          task: r.task,
          datasetSize: r.datasetSize,
          seed: r.seed,
          config: r.config as Prisma.InputJsonValue,
          totalSteps: r.totalSteps,
          maxAttempts: r.maxAttempts,
          status: "QUEUED",
        },
        select: { id: true },
      });
      copies.push({ from: r.id, id: copy.id });
    }
    return { copies, skipped: ids.length - copies.length };
  });
}

/**
 * Delete (MLflow's lifecycle, server/db/lifecycle.ts): the runs leave the tables, compare, the
 * leaderboard and exports, keeping every row until restored or purged; a queued run is canceled and
 * a running one asked to stop first.
 */
export async function deleteRuns(prisma: PrismaClient, ids: string[]) {
  return prisma.$transaction(async (tx) => {
    await requireRuns(tx, ids);
    const { found, stopping } = await deleteRunRows(viaPrisma(tx), ids);
    return { deleted: found.length, stopping };
  });
}

export async function restoreRuns(prisma: PrismaClient, ids: string[]) {
  return prisma.$transaction(async (tx) => {
    await requireRuns(tx, ids);
    return { restored: (await restoreRunRows(viaPrisma(tx), ids)).length };
  });
}
