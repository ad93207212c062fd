// Gets the product a ready database: the one in DATABASE_URL, or an embedded Postgres in .data/.
// Then migrates and verifies the tables. Used by `npm start` and `npm run db:migrate`.
import { parseDatabaseUrl, redact } from "../../server/db/connection";
import { applyMigrations, verifyTables } from "../../server/db/migrate";
import { checkConnection, createPool } from "../../server/db/pool";
import { startEmbeddedPostgres } from "./embedded-postgres";
import { EMBEDDED_PG_PORT } from "./ports";

export const EMBEDDED_DATA_DIR = process.env.URLVR_DATA_DIR ?? ".data/postgres";

export interface ReadyDatabase {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
  /** Stops the embedded server only if this process started it (what a one-off command wants). */
  release(): Promise<void>;
}

export async function prepareDatabase(log: (msg: string) => void): Promise<ReadyDatabase> {
  let url = process.env.DATABASE_URL;
  let stop = async () => {};
  let reused = true;
  const embedded = !url;
  if (url) {
    parseDatabaseUrl(url);
    log(`using DATABASE_URL ${redact(url)}`);
  } else {
    const port = Number(process.env.URLVR_PG_PORT ?? EMBEDDED_PG_PORT);
    if (!Number.isInteger(port) || port < 1024 || port > 32767) {
      throw new Error(`URLVR_PG_PORT must be a whole number from 1024 to 32767 (got "${process.env.URLVR_PG_PORT}")`);
    }
    log(`no DATABASE_URL: starting the embedded PostgreSQL in ${EMBEDDED_DATA_DIR} on port ${port}`);
    const pg = await startEmbeddedPostgres({ dataDir: EMBEDDED_DATA_DIR, port });
    url = pg.url;
    stop = pg.stop;
    reused = pg.reused;
  }
  try {
    await checkConnection(url);
    const pool = createPool(url, 2);
    try {
      const applied = await applyMigrations(pool);
      await verifyTables(pool);
      log(applied.length ? `applied migrations: ${applied.join(", ")}` : "database schema is up to date");
    } finally {
      await pool.end();
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, embedded, stop, release: () => (reused ? Promise.resolve() : stop()) };
}
