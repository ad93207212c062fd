import type { Sql } from "../../server/db/sql";

// The checkpoint a new attempt resumes from: only the newest is kept (save-checkpoint.ts).
const SELECT_CHECKPOINT = `SELECT "step", "data" FROM "RunCheckpoint" WHERE "runId" = $1`;

/** The run's checkpoint and its step; null before its first one. */
export async function selectCheckpoint(sql: Sql, runId: string): Promise<{ step: number; data: Uint8Array } | null> {
  const [row] = await sql<{ step: number; data: Buffer }>(SELECT_CHECKPOINT, [runId]);
  return row ? { step: row.step, data: new Uint8Array(row.data) } : null;
}
