// The process's long-lived database clients, one of each: the Prisma client of the dashboard's
// services, the pg pool of the dashboard's hand-written SQL (CSV streams, API tokens), and the pg
// pool of the MLflow API (the metric writer's batched SQL). Two pools, so that long CSV exports
// never hold the connections trainers log through. Each is made on first use for the DATABASE_URL of
// that moment and made again if it changes (tests point the process at their own database); they
// live on globalThis because Next's dev server re-evaluates modules. Commands and tests that want a
// client of their own make one with createPrisma / createPool.
import type pg from "pg";
import { requireDatabaseUrl } from "./connection";
import { createPool } from "./pool";
import { createPrisma, type PrismaClient } from "./prisma";

interface Held<T> {
  client: T;
  url: string;
}

const holder = globalThis as unknown as {
  urlvrClients?: { prisma?: Held<PrismaClient>; dashboardPool?: Held<pg.Pool>; ingestPool?: Held<pg.Pool> };
};

function held<T>(name: "prisma" | "dashboardPool" | "ingestPool", url: string, make: (url: string) => T, end: (client: T) => Promise<void>): T {
  const clients = (holder.urlvrClients ??= {}) as Record<string, Held<T> | undefined>;
  const current = clients[name];
  if (current?.url === url) return current.client;
  if (current) void end(current.client).catch(() => {});
  const client = make(url);
  clients[name] = { client, url };
  return client;
}

export function getPrisma(url = requireDatabaseUrl()): PrismaClient {
  return held("prisma", url, createPrisma, (p) => p.$disconnect());
}

export function getDashboardPool(url = requireDatabaseUrl()): pg.Pool {
  return held("dashboardPool", url, (u) => createPool(u, 4), (p) => p.end());
}

export function getIngestPool(url = requireDatabaseUrl()): pg.Pool {
  return held("ingestPool", url, (u) => createPool(u, 5), (p) => p.end());
}
