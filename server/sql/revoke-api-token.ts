import type { Sql } from "../db/sql";

// Revokes a token for good: the row stays (lists show when it was revoked), and a second revoke
// changes nothing, so the caller can tell "revoked now" from "unknown or already revoked".
const REVOKE_API_TOKEN = `
UPDATE "ApiToken" SET "revokedAt" = now() WHERE "id" = $1::uuid AND "revokedAt" IS NULL RETURNING "id"::text AS "id"`;

/** True when the token existed and was not revoked before. */
export async function revokeApiToken(sql: Sql, id: string): Promise<boolean> {
  return (await sql<{ id: string }>(REVOKE_API_TOKEN, [id])).length > 0;
}
