import pg from "pg";
import { describeConnectionError, requireDatabaseUrl } from "./connection";
import { toError } from "../../runner/engine/util/to-error";

// Postgres returns BIGINT (int8) as a string by default; every BIGINT here (ids of events, parameter
// counts) fits a double, so read it as a number.
pg.types.setTypeParser(20, (v) => Number(v));

export type Pool = pg.Pool;

/** A pg pool for hand-written SQL (claims, metric batches); Prisma uses its own through the adapter. */
export function createPool(url = requireDatabaseUrl(), max = 5): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 10_000 });
  // An idle client's error (server restarted) must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  return pool;
}

/** Connects once and throws an Error whose message names the problem, for start-up checks. */
export async function checkConnection(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (err) {
    throw new Error(describeConnectionError(err, url));
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Runs `fn` inside one transaction on a pooled client. While a client is checked out, pg-pool removes
 * its own error listener; a server that cuts the connection between two statements (a restart) would
 * then raise an unhandled 'error' event and kill the process. The listener added here keeps the
 * failure an ordinary rejected query, and a client that failed is destroyed instead of reused.
 */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  const ignore = () => {};
  client.on("error", ignore);
  let failure: Error | undefined;
  try {
    await client.query("BEGIN");
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    failure = toError(err);
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.off("error", ignore);
    client.release(failure);
  }
}
