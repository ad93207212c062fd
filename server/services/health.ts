import type { PrismaClient } from "../db/prisma";
import { viaPrisma } from "../db/sql";
import { showServerVersion } from "../sql/show-server-version";
import { errorSummary } from "../errors";
import { toError } from "../ingest/errors";

/** A runner is alive while its heartbeat is younger than this. */
export const RUNNER_ALIVE_MS = 30_000;

export interface HealthReport {
  database: { ok: boolean; message: string; serverVersion?: string };
  runners: Array<{ id: string; host: string; devices: string[]; slots: number; lastSeenAt: Date; alive: boolean }>;
  /** Null when the database is down: no count is better than a zero that looks like an empty lab. */
  counts: { baseModels: number; runs: number; queued: number; running: number } | null;
}

export async function getHealth(prisma: PrismaClient, now = new Date()): Promise<HealthReport> {
  try {
    const serverVersion = await showServerVersion(viaPrisma(prisma));
    const [runners, baseModels, runs, queued, running] = await Promise.all([
      prisma.runner.findMany({ orderBy: { lastSeenAt: "desc" }, take: 50 }),
      prisma.baseModel.count(),
      prisma.run.count({ where: { deletedAt: null } }),
      prisma.run.count({ where: { status: "QUEUED" } }),
      prisma.run.count({ where: { status: "RUNNING" } }),
    ]);
    return {
      database: { ok: true, message: "connected", serverVersion },
      runners: runners.map((r) => ({
        id: r.id,
        host: r.host,
        devices: r.devices,
        slots: r.slots,
        lastSeenAt: r.lastSeenAt,
        alive: now.getTime() - r.lastSeenAt.getTime() < RUNNER_ALIVE_MS,
      })),
      counts: { baseModels, runs, queued, running },
    };
  } catch (err) {
    return {
      database: { ok: false, message: errorSummary(toError(err)) },
      runners: [],
      counts: null,
    };
  }
}
