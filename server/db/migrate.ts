// Applies prisma/migrations/*/migration.sql in order, each in its own transaction, and records it.
// Why not `prisma migrate deploy`: its schema engine is a binary downloaded at install time, which
// cannot be fetched offline, and with a stand-in binary it reports success while applying nothing.
// This runner needs nothing but pg, and verifyTables() proves afterwards that every table exists.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import path from "node:path";
import type pg from "pg";
import { toError } from "../../runner/engine/util/to-error";

export const MIGRATIONS_TABLE = "_urlvr_migrations";
// Serialises concurrent starters (dashboard, runners, tests) on one database.
const ADVISORY_LOCK_ID = 7_251_001;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export function loadMigrations(dir = path.resolve(process.cwd(), "prisma/migrations")): Migration[] {
  if (!existsSync(dir)) throw new Error(`No migrations folder at ${dir}`);
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

export async function applyMigrations(pool: pg.Pool, migrations = loadMigrations()): Promise<string[]> {
  const client = await pool.connect();
  // A dropped connection must reject the next query, not crash the process (see withTransaction).
  client.on("error", () => {});
  const applied: string[] = [];
  try {
    await client.query("SELECT pg_advisory_lock($1)", [ADVISORY_LOCK_ID]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS "${MIGRATIONS_TABLE}" (
         name TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ name: string; checksum: string }>(
      `SELECT name, checksum FROM "${MIGRATIONS_TABLE}"`,
    );
    const done = new Map(rows.map((r) => [r.name, r.checksum]));
    for (const m of migrations) {
      const prior = done.get(m.name);
      if (prior !== undefined) {
        if (prior !== m.checksum) {
          throw new Error(`Migration ${m.name} was changed after it was applied; add a new migration instead`);
        }
        continue;
      }
      await client.query("BEGIN");
      try {
        await client.query(m.sql);
        await client.query(`INSERT INTO "${MIGRATIONS_TABLE}" (name, checksum) VALUES ($1, $2)`, [m.name, m.checksum]);
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK");
        throw new Error(`Migration ${m.name} failed: ${toError(err).message}`);
      }
      applied.push(m.name);
    }
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [ADVISORY_LOCK_ID]).catch(() => {});
    client.release();
  }
  return applied;
}

/** The tables the product cannot run without. Checked after every migration so a silent no-op fails. */
export const REQUIRED_TABLES = [
  "BaseModel",
  "Experiment",
  "Run",
  "MetricPoint",
  "MetricSummary",
  "RunEvent",
  "RunCheckpoint",
  "RunAttribute",
  "Runner",
  "ApiToken",
] as const;

export async function verifyTables(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`,
  );
  const present = new Set(rows.map((r) => r.table_name));
  const missing = REQUIRED_TABLES.filter((t) => !present.has(t));
  if (missing.length > 0) {
    throw new Error(`Database schema is incomplete after migrating: missing tables ${missing.join(", ")}`);
  }
}
