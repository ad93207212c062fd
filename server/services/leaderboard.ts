// The leaderboard as the dashboard loads it: per-run figures from Postgres, aggregated by the pure
// rules in leaderboard-table.ts (read there what counts, how censored MCS ranks, and how the
// intervals, p-values and power are computed).
import "server-only";
import { METRICS } from "../../runner/engine/metrics/metric-names";
import type { ValidationPoint } from "../../runner/engine/metrics/gain";
import { DEFAULT_PROTOCOL_KEY, protocolOf } from "../../runner/engine/train/protocol";
import type { PrismaClient } from "../db/prisma";
import { viaPrisma } from "../db/sql";
import { selectRunFigures } from "../sql/select-run-figures";
import { selectValidationPoints } from "../sql/select-validation-points";
import { GT_METHOD, MCS_METHOD, buildLeaderboard, finite, type Leaderboard, type PendingRun, type RunFigures } from "./leaderboard-table";
import { ACTIVE_STATUSES } from "../schemas/runs";

export * from "./leaderboard-table";

/**
 * Every finished run's MCS columns, config (its protocol) and validation curve: val/accuracy and its
 * standard error, read through the metric points' primary key (a few points per run), never a scan.
 */
export async function loadRunFigures(prisma: PrismaClient): Promise<RunFigures[]> {
  const sql = viaPrisma(prisma);
  const runs = await selectRunFigures(sql);
  if (runs.length === 0) return [];
  const points = await selectValidationPoints(sql, runs.map((r) => r.runId));
  const curves = new Map<string, Map<number, ValidationPoint>>();
  for (const p of points) {
    const curve = curves.get(p.runId) ?? new Map<number, ValidationPoint>();
    curves.set(p.runId, curve);
    const at = curve.get(p.step) ?? { step: p.step, value: Number.NaN, se: null };
    if (p.key === METRICS.valAccuracy) at.value = p.value;
    else at.se = finite(p.value);
    curve.set(p.step, at);
  }
  return runs.map(({ config, ...r }) => ({
    ...r,
    protocol: protocolOf(config),
    validation: [...(curves.get(r.runId)?.values() ?? [])].filter((v) => Number.isFinite(v.value)),
  }));
}

/** majority_vote and ground_truth runs still queued or running, with their protocols. */
export async function loadPendingRuns(prisma: PrismaClient): Promise<PendingRun[]> {
  const runs = await prisma.run.findMany({
    where: { status: { in: [...ACTIVE_STATUSES] }, rewardMethod: { in: [MCS_METHOD, GT_METHOD] }, deletedAt: null },
    select: { baseModelId: true, rewardMethod: true, config: true },
  });
  return runs.map(({ config, ...r }) => ({ ...r, protocol: protocolOf(config) }));
}

/** The leaderboard of one protocol (the default unless `protocol` names another). */
export async function getLeaderboard(prisma: PrismaClient, protocol: string = DEFAULT_PROTOCOL_KEY): Promise<Leaderboard> {
  const [models, runs, pending] = await Promise.all([
    prisma.baseModel.findMany({ select: { id: true, name: true, family: true, staticEval: true }, orderBy: { name: "asc" } }),
    loadRunFigures(prisma),
    loadPendingRuns(prisma),
  ]);
  return buildLeaderboard(models, runs, protocol, pending);
}
