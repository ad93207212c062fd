import type { Sql } from "../db/sql";

// Every token, revoked ones included, oldest first, without its hash: lists never need it.
const SELECT_API_TOKENS = `
SELECT "id"::text AS "id", "name", "prefix", "createdAt", "lastUsedAt", "revokedAt" FROM "ApiToken" ORDER BY "createdAt"`;

export interface ApiTokenListRow {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export async function selectApiTokens(sql: Sql): Promise<ApiTokenListRow[]> {
  return sql<ApiTokenListRow>(SELECT_API_TOKENS, []);
}
