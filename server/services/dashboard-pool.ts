// A pg pool for the dashboard's hand-written SQL (CSV streams, API tokens); Prisma keeps its own.
// One per process; Next's dev server re-evaluates modules, so it lives on globalThis.
import "server-only";
import type pg from "pg";
import { createPool } from "../db/pool";

const holder = globalThis as unknown as { urlvrDashboardPool?: pg.Pool; urlvrDashboardPoolUrl?: string };

export function getDashboardPool(url = process.env.DATABASE_URL): pg.Pool {
  if (!holder.urlvrDashboardPool || holder.urlvrDashboardPoolUrl !== url) {
    void holder.urlvrDashboardPool?.end().catch(() => {});
    holder.urlvrDashboardPool = createPool(url, 4);
    holder.urlvrDashboardPoolUrl = url;
  }
  return holder.urlvrDashboardPool;
}
