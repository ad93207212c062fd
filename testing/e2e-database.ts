// The e2e product's database (playwright.config.ts starts it on this port), for tests that set up
// data directly or check that the pages' numbers equal the rows.
import pg from "pg";
import { E2E_PG_PORT } from "../scripts/lib/ports";

export const E2E_DATABASE_URL =
  process.env.E2E_DATABASE_URL ?? `postgres://postgres:urlvr@127.0.0.1:${process.env.E2E_PG_PORT ?? E2E_PG_PORT}/urlvr`;

export function e2ePool(): pg.Pool {
  return new pg.Pool({ connectionString: E2E_DATABASE_URL, max: 2 });
}

export async function countRows(pool: pg.Pool, table: "Run" | "Experiment"): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM "${table}"`);
  return Number(rows[0]!.n);
}
