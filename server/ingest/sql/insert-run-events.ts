import type { Sql } from "../../db/sql";

// Appends log lines of runs, many at once, in one unnest() INSERT. RunEvent ids are serial and the
// rows are inserted in ORDINALITY order, so the order of one call is kept.
const INSERT_RUN_EVENTS = `
INSERT INTO "RunEvent" ("runId", "time", "level", "message")
SELECT run_id, to_timestamp(time_ms / 1000.0), level, message
FROM unnest($1::uuid[], $2::float8[], $3::text[], $4::text[]) WITH ORDINALITY AS t(run_id, time_ms, level, message, n)
ORDER BY n
`;

export interface RunEventRow {
  runId: string;
  level: string;
  message: string;
  /** Milliseconds since the epoch. */
  time: number;
}

export async function insertRunEvents(sql: Sql, events: readonly RunEventRow[]): Promise<void> {
  await sql(INSERT_RUN_EVENTS, [events.map((e) => e.runId), events.map((e) => e.time), events.map((e) => e.level), events.map((e) => e.message)]);
}
