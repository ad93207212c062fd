import type { Sql } from "../../server/db/sql";

// Removes a runner that stopped cleanly; finished runs keep their history (runnerId is set null).
const DELETE_RUNNER = `DELETE FROM "Runner" WHERE "id" = $1`;

export async function deleteRunner(sql: Sql, runnerId: string): Promise<void> {
  await sql(DELETE_RUNNER, [runnerId]);
}
