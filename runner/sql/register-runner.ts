import type { Sql } from "../../server/db/sql";

// Registers (or re-registers, after someone cleaned up stale runners) this runner and marks it seen.
const REGISTER_RUNNER = `
INSERT INTO "Runner" ("id", "host", "pid", "devices", "slots", "startedAt", "lastSeenAt")
VALUES ($1, $2, $3, $4::text[], $5, now(), now())
ON CONFLICT ("id") DO UPDATE SET "lastSeenAt" = now()
`;

export interface RunnerRow {
  id: string;
  host: string;
  pid: number;
  devices: readonly string[];
  slots: number;
}

export async function registerRunner(sql: Sql, r: RunnerRow): Promise<void> {
  await sql(REGISTER_RUNNER, [r.id, r.host, r.pid, r.devices, r.slots]);
}
