import type { Sql } from "../db/sql";

// Looks a presented secret up by its hash, through the unique index on "tokenHash" (one probe per
// authenticated request). The hash comes back so the caller can compare it in constant time.
const SELECT_API_TOKEN_BY_HASH = `
SELECT "id"::text AS "id", "name", "prefix", "tokenHash", "createdAt", "lastUsedAt", "revokedAt"
  FROM "ApiToken" WHERE "tokenHash" = $1`;

export interface ApiTokenRow {
  id: string;
  name: string;
  prefix: string;
  tokenHash: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** The token with this hash, revoked or not; null when there is none. */
export async function selectApiTokenByHash(sql: Sql, tokenHash: string): Promise<ApiTokenRow | null> {
  const [row] = await sql<ApiTokenRow>(SELECT_API_TOKEN_BY_HASH, [tokenHash]);
  return row ?? null;
}
