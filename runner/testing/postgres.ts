// Real Postgres for tests, migrated with the committed SQL: a database of its own on the suite's
// server (suiteTestDatabase), or, for tests that stop and restart Postgres, a server of its own
// (startTestDatabase; each such file passes its own port below 32768, not 15432 or the suite's).
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type pg from "pg";
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from "../../scripts/lib/embedded-postgres";
import { applyMigrations, verifyTables } from "../../server/db/migrate";
import { createPool } from "../../server/db/pool";

export interface TestDatabase {
  url: string;
  pool: pg.Pool;
  /** Stops the server (connections drop), keeping its data. */
  stopServer(): Promise<void>;
  /** Starts it again on the same port and data. */
  startServer(): Promise<void>;
  /** Empties every table the runner and the ingestion API write. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

const RESET_SQL = `TRUNCATE "MetricPoint", "MetricSummary", "RunEvent", "RunCheckpoint", "RunAttribute", "Run", "Runner",
                  "Experiment", "BaseModel", "ApiToken" CASCADE`;

/**
 * A fresh database on the suite's shared Postgres (scripts/test/global-setup.ts), for test files that
 * do not stop the server. Its stopServer/startServer throw: use startTestDatabase for outages.
 */
export async function suiteTestDatabase(): Promise<TestDatabase> {
  const { createTestDatabase } = await import("../../scripts/test/database");
  const created = await createTestDatabase();
  const pool = createPool(created.url, 8);
  const noOutage = async () => {
    throw new Error("suiteTestDatabase shares its server; use startTestDatabase(port) to stop and start one");
  };
  return {
    url: created.url,
    pool,
    stopServer: noOutage,
    startServer: noOutage,
    async reset() {
      await pool.query(RESET_SQL);
    },
    async close() {
      await pool.end().catch(() => {});
      await created.drop();
    },
  };
}

/** A Postgres server of the test's own on `port`, which the test may stop and start (outages). */
export async function startTestDatabase(port: number): Promise<TestDatabase> {
  const parent = mkdtempSync(path.join(os.tmpdir(), "urlvr-test-pg-"));
  // mkdtemp makes the folder private; as root, Postgres runs as the `postgres` user and must enter it.
  chmodSync(parent, 0o755);
  const dataDir = path.join(parent, "data");
  let server: EmbeddedPostgresHandle | null = await startEmbeddedPostgres({ dataDir, port });
  const url = server.url;
  const pool = createPool(url, 8);
  await applyMigrations(pool);
  await verifyTables(pool);
  return {
    url,
    pool,
    async stopServer() {
      await server?.stop();
      server = null;
    },
    async startServer() {
      server = await startEmbeddedPostgres({ dataDir, port });
    },
    async reset() {
      await pool.query(RESET_SQL);
    },
    async close() {
      await pool.end().catch(() => {});
      await server?.stop();
      rmSync(path.dirname(dataDir), { recursive: true, force: true });
    },
  };
}

export async function insertBaseModel(pool: pg.Pool, name = "tiny", external = false): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO "BaseModel" ("name", "family", "paramCount", "architecture", "external")
     VALUES ($1, 'test', 1000, '{}'::jsonb, $2) RETURNING "id"`,
    [name, external],
  );
  return rows[0]!.id;
}

export interface InsertRunOptions {
  baseModelId: string;
  config?: Record<string, unknown>;
  seed?: number;
  totalSteps?: number;
  maxAttempts?: number;
}

export async function insertRun(pool: pg.Pool, o: InsertRunOptions): Promise<string> {
  const config = { steps: o.totalSteps ?? 10, seed: o.seed ?? 1, ...o.config };
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO "Run" ("baseModelId", "rewardMethod", "task", "datasetSize", "seed", "config", "totalSteps", "maxAttempts")
     VALUES ($1, 'majority_vote', 'arith', 32, $2, $3::jsonb, $4, $5) RETURNING "id"`,
    [o.baseModelId, o.seed ?? 1, JSON.stringify(config), config.steps, o.maxAttempts ?? 3],
  );
  return rows[0]!.id;
}
