// Real Postgres for tests, migrated with the committed SQL, as one TestDatabase either way: a
// database of its own on the suite's shared server (createTestDatabase; see global-setup.ts), or, for
// tests that stop and restart Postgres, a server of its own (startOwnTestDatabase; each such file
// passes its own port below 32768, not 15432 or the suite's). Test files never see each other's rows.
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from "../scripts/lib/embedded-postgres";
import { applyMigrations, verifyTables } from "../server/db/migrate";
import { createPool } from "../server/db/pool";
import { createPrisma, type PrismaClient } from "../server/db/prisma";

export interface TestDatabase {
  url: string;
  /** A pg pool on the database; it connects on its first query. */
  pool: pg.Pool;
  /** A Prisma client on the database, made on first use. */
  readonly prisma: PrismaClient;
  /** Empties every table the runner, the ingestion API and the dashboard write. */
  reset(): Promise<void>;
  /** Stops the server (connections drop), keeping its data. Only a startOwnTestDatabase server. */
  stopServer(): Promise<void>;
  /** Starts it again on the same port and data. Only a startOwnTestDatabase server. */
  startServer(): Promise<void>;
  /** Disconnects the clients, then drops the database (shared server) or stops the server and deletes its data. */
  close(): Promise<void>;
}

const RESET_SQL = `TRUNCATE "MetricPoint", "MetricSummary", "RunEvent", "RunCheckpoint", "RunAttribute", "Run", "Runner",
                  "Experiment", "BaseModel", "ApiToken" CASCADE`;

/** The clients and reset every TestDatabase shares; `remove` runs after both clients are closed. */
function testDatabase(url: string, server: Pick<TestDatabase, "stopServer" | "startServer">, remove: () => Promise<void>): TestDatabase {
  const pool = createPool(url, 8);
  let prisma: PrismaClient | undefined;
  return {
    url,
    pool,
    get prisma() {
      prisma ??= createPrisma(url);
      return prisma;
    },
    async reset() {
      await pool.query(RESET_SQL);
    },
    ...server,
    async close() {
      await prisma?.$disconnect();
      await pool.end().catch(() => {});
      await remove();
    },
  };
}

async function migrate(url: string): Promise<void> {
  const pool = createPool(url, 1);
  try {
    await applyMigrations(pool);
    await verifyTables(pool);
  } finally {
    await pool.end();
  }
}

/**
 * A new database on the suite's shared Postgres; migrated unless `migrate: false`. Its server is
 * shared, so stopServer/startServer throw: use startOwnTestDatabase(port) for outages.
 */
export async function createTestDatabase(opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  // Imported here, not at the top: the benchmarks use startOwnTestDatabase outside vitest.
  const { inject } = await import("vitest");
  const admin = inject("adminDatabaseUrl");
  const name = `t_${randomBytes(6).toString("hex")}`;
  const adminQuery = async (text: string) => {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };
  await adminQuery(`CREATE DATABASE "${name}"`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  if (opts.migrate !== false) await migrate(url.toString());
  const noOutage = async () => {
    throw new Error("createTestDatabase shares the suite's server; use startOwnTestDatabase(port) to stop and start one");
  };
  return testDatabase(url.toString(), { stopServer: noOutage, startServer: noOutage }, () =>
    adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  );
}

/** A migrated Postgres server of the test's own on `port`, which the test may stop and start (outages). */
export async function startOwnTestDatabase(port: number): Promise<TestDatabase> {
  const parent = mkdtempSync(path.join(os.tmpdir(), "urlvr-test-pg-"));
  // mkdtemp makes the folder private; as root, Postgres runs as the `postgres` user and must enter it.
  chmodSync(parent, 0o755);
  const dataDir = path.join(parent, "data");
  let server: EmbeddedPostgresHandle | null = await startEmbeddedPostgres({ dataDir, port });
  await migrate(server.url);
  return testDatabase(
    server.url,
    {
      async stopServer() {
        await server?.stop();
        server = null;
      },
      async startServer() {
        server = await startEmbeddedPostgres({ dataDir, port });
      },
    },
    async () => {
      await server?.stop();
      rmSync(parent, { recursive: true, force: true });
    },
  );
}
