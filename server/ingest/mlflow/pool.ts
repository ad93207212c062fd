// The ingestion API's pg pool (the metric writer's batched SQL needs raw pg, not Prisma). One per
// process; Next's dev server re-evaluates modules, so it lives on globalThis.
import type pg from "pg";
import { createPool } from "../../db/pool";

const holder = globalThis as unknown as { urlvrIngestPool?: pg.Pool };

export function getIngestPool(): pg.Pool {
  holder.urlvrIngestPool ??= createPool(undefined, 5);
  return holder.urlvrIngestPool;
}
