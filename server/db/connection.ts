// Where the database is and what to tell a person when it cannot be reached. Shared by the dashboard,
// the runner, the start command and the tests, so every entry point fails with the same clear words.

export class DatabaseConfigError extends Error {
  override name = "DatabaseConfigError";
}

/** Parses DATABASE_URL, rejecting anything that is not a postgres:// URL with a database name. */
export function parseDatabaseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DatabaseConfigError(
      `DATABASE_URL is not a valid URL (got "${redact(raw)}"); expected postgres://USER:PASSWORD@HOST:PORT/DATABASE`,
    );
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    throw new DatabaseConfigError(
      `DATABASE_URL must start with postgres:// or postgresql:// (got "${url.protocol}//...")`,
    );
  }
  if (!url.hostname) throw new DatabaseConfigError("DATABASE_URL has no host name");
  if (url.pathname.length <= 1) throw new DatabaseConfigError("DATABASE_URL names no database (add /DATABASE at the end)");
  return url;
}

export function requireDatabaseUrl(env: Record<string, string | undefined> = process.env): string {
  const raw = env.DATABASE_URL;
  if (!raw) {
    throw new DatabaseConfigError(
      "DATABASE_URL is not set. `npm start` sets it for its embedded Postgres; a runner on another machine needs the dashboard's DATABASE_URL.",
    );
  }
  parseDatabaseUrl(raw);
  return raw;
}

/** Hides the password of a connection string so it can be printed. */
export function redact(raw: string): string {
  return raw.replace(/\/\/([^:/@]+):([^@]*)@/, "//$1:***@");
}

/**
 * Turns a connection failure from `pg` into one sentence that names the problem. The raw error codes
 * are Node's (ECONNREFUSED, ENOTFOUND) and Postgres' SQLSTATE (28P01 bad password, 3D000 no database).
 */
export function describeConnectionError(err: unknown, rawUrl: string): string {
  const e = err as { code?: string; message?: string };
  let where = redact(rawUrl);
  try {
    const u = new URL(rawUrl);
    where = `${u.hostname}:${u.port || "5432"}${u.pathname}`;
  } catch {
    // keep the redacted string
  }
  switch (e?.code) {
    case "ECONNREFUSED":
      return `Cannot connect to Postgres at ${where}: connection refused (is the server running and listening on that port?)`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `Cannot connect to Postgres at ${where}: host name not found`;
    case "ETIMEDOUT":
      return `Cannot connect to Postgres at ${where}: connection timed out`;
    case "28P01":
    case "28000":
      return `Postgres at ${where} rejected the user name or password in DATABASE_URL`;
    case "3D000":
      return `Postgres at ${where} has no such database (create it, or fix the name in DATABASE_URL)`;
    default:
      return `Cannot use Postgres at ${where}: ${e?.message ?? String(err)}`;
  }
}
