// vitest global setup: one real PostgreSQL for the whole run (TEST_DATABASE_URL's server when given,
// else an embedded one in a throwaway folder). Each test file makes its own database on it with
// createTestDatabase(), so files never see each other's rows.
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "../scripts/lib/embedded-postgres";
import { TEST_PG_PORT_RANGE } from "../scripts/lib/ports";

declare module "vitest" {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

/** The first port in [from, to] nobody listens on, so two test runs on one machine do not collide. */
async function freePort(from: number, to: number): Promise<number> {
  for (let port = from; port <= to; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer().once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port for the test Postgres in ${from}-${to}`);
}

export default async function setup(project: TestProject) {
  if (process.env.TEST_DATABASE_URL) {
    project.provide("adminDatabaseUrl", process.env.TEST_DATABASE_URL);
    return;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), "urlvr-test-pg-"));
  // As root the server runs as the `postgres` user, which must be able to enter this folder.
  chmodSync(dir, 0o755);
  const pg = await startEmbeddedPostgres({
    dataDir: path.join(dir, "data"),
    port: process.env.URLVR_TEST_PG_PORT ? Number(process.env.URLVR_TEST_PG_PORT) : await freePort(TEST_PG_PORT_RANGE.from, TEST_PG_PORT_RANGE.to),
    database: "postgres",
    persistent: false,
  });
  project.provide("adminDatabaseUrl", pg.url);
  return async () => {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
