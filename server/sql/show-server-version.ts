import type { Sql } from "../db/sql";

// The health check's first statement: the cheapest round trip that proves the database answers, and
// its answer (the server's version) is worth showing on the health page.
const SHOW_SERVER_VERSION = `SHOW server_version`;

/** The server's version string, e.g. "17.2". */
export async function showServerVersion(sql: Sql): Promise<string | undefined> {
  const [row] = await sql<{ server_version: string }>(SHOW_SERVER_VERSION, []);
  return row?.server_version;
}
