// Per-test-file databases on the suite's Postgres (see global-setup.ts).
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { applyMigrations, verifyTables } from "../../server/db/migrate";
import { createPool } from "../../server/db/pool";
import { createPrisma, type PrismaClient } from "../../server/db/prisma";

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A new, empty database; migrated unless `migrate: false`. */
export async function createTestDatabase(opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const admin = inject("adminDatabaseUrl");
  const name = `t_${randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE "${name}"`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  if (opts.migrate !== false) {
    const pool = createPool(url.toString(), 1);
    await applyMigrations(pool);
    await verifyTables(pool);
    await pool.end();
  }
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface ConnectedTestDatabase {
  url: string;
  pool: pg.Pool;
  prisma: PrismaClient;
  /** Disconnects both clients and drops the database. */
  close(): Promise<void>;
}

/** A migrated test database with a pg pool and a Prisma client on it, for service tests. */
export async function connectTestDatabase(): Promise<ConnectedTestDatabase> {
  const db = await createTestDatabase();
  const pool = createPool(db.url, 2);
  const prisma = createPrisma(db.url);
  return {
    url: db.url,
    pool,
    prisma,
    async close() {
      await prisma.$disconnect();
      await pool.end();
      await db.drop();
    },
  };
}
