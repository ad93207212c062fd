// The leaderboard as the dashboard loads it: per-run figures from Postgres, aggregated by the pure
// rules in leaderboard-table.ts (read there what counts and how censored MCS ranks).
import "server-only";
import { METRICS } from "../../runner/engine/metrics/metricNames";
import { usesDefaultProtocol } from "../../runner/engine/train/protocol";
import type { PrismaClient } from "../db/prisma";
import { buildLeaderboard, finite, type Leaderboard, type RunFigures } from "./leaderboard-table";

export * from "./leaderboard-table";

/**
 * Per finished run: MCS columns, first val/accuracy point (one index probe on the primary key per
 * run) and the best value from MetricSummary. Never scans metric points.
 */
export async function loadRunFigures(prisma: PrismaClient): Promise<RunFigures[]> {
  const rows = await prisma.$queryRaw<Array<Omit<RunFigures, "defaultProtocol"> & { config: unknown }>>`
    SELECT r."id" AS "runId", r."baseModelId", r."rewardMethod", r."seed", r."mcsStep", r."mcsCensored",
           (SELECT p."value" FROM "MetricPoint" p
             WHERE p."runId" = r."id" AND p."key" = ${METRICS.valAccuracy}
             ORDER BY p."step" LIMIT 1) AS "initialAccuracy",
           s."max" AS "bestAccuracy", r."config"
      FROM "Run" r
      LEFT JOIN "MetricSummary" s ON s."runId" = r."id" AND s."key" = ${METRICS.valAccuracy}
     WHERE r."status" = 'SUCCEEDED'`;
  return rows.map(({ config, ...r }) => ({
    ...r,
    initialAccuracy: finite(r.initialAccuracy),
    bestAccuracy: finite(r.bestAccuracy),
    defaultProtocol: usesDefaultProtocol(config),
  }));
}

export async function getLeaderboard(prisma: PrismaClient): Promise<Leaderboard> {
  const [models, runs] = await Promise.all([
    prisma.baseModel.findMany({ select: { id: true, name: true, family: true, staticEval: true }, orderBy: { name: "asc" } }),
    loadRunFigures(prisma),
  ]);
  return buildLeaderboard(models, runs);
}
