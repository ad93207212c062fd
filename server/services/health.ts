import type { PrismaClient } from "../db/prisma";

/** A runner is alive while its heartbeat is younger than this. */
export const RUNNER_ALIVE_MS = 30_000;

export interface HealthReport {
  database: { ok: boolean; message: string; serverVersion?: string };
  runners: Array<{ id: string; host: string; devices: string[]; slots: number; lastSeenAt: Date; alive: boolean }>;
  counts: { baseModels: number; runs: number; queued: number; running: number };
}

export async function getHealth(prisma: PrismaClient, now = new Date()): Promise<HealthReport> {
  try {
    const [version] = await prisma.$queryRaw<Array<{ server_version: string }>>`SHOW server_version`;
    const [runners, baseModels, runs, queued, running] = await Promise.all([
      prisma.runner.findMany({ orderBy: { lastSeenAt: "desc" }, take: 50 }),
      prisma.baseModel.count(),
      prisma.run.count(),
      prisma.run.count({ where: { status: "QUEUED" } }),
      prisma.run.count({ where: { status: "RUNNING" } }),
    ]);
    return {
      database: { ok: true, message: "connected", serverVersion: version?.server_version },
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
      database: { ok: false, message: err instanceof Error ? err.message.split("\n")[0]! : String(err) },
      runners: [],
      counts: { baseModels: 0, runs: 0, queued: 0, running: 0 },
    };
  }
}
