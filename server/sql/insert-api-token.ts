import type { Sql } from "../db/sql";

// A new API token: only the SHA-256 of its secret is stored, and the visible prefix so a person can
// tell tokens apart in lists (server/auth/tokens.ts makes both).
const INSERT_API_TOKEN = `
INSERT INTO "ApiToken" ("name", "prefix", "tokenHash") VALUES ($1, $2, $3) RETURNING "id"::text AS "id"`;

/** The new token's id. */
export async function insertApiToken(sql: Sql, token: { name: string; prefix: string; tokenHash: string }): Promise<string> {
  const [row] = await sql<{ id: string }>(INSERT_API_TOKEN, [token.name, token.prefix, token.tokenHash]);
  return row!.id;
}
