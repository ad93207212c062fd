import type { Sql } from "../db/sql";

// Marks a token used now. The caller refreshes it at most once a minute, so a busy trainer does not
// turn every authenticated request into a write.
const UPDATE_API_TOKEN_LAST_USED = `UPDATE "ApiToken" SET "lastUsedAt" = now() WHERE "id" = $1::uuid`;

export async function updateApiTokenLastUsed(sql: Sql, id: string): Promise<void> {
  await sql(UPDATE_API_TOKEN_LAST_USED, [id]);
}
