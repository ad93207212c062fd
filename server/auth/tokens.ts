// API tokens for runners and outside trainers (MLflow clients send MLFLOW_TRACKING_TOKEN as
// `Authorization: Bearer <token>`). The secret is shown once at creation; only its SHA-256 is stored,
// so a database leak reveals no usable token. 32 random bytes make brute force and salting moot.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type pg from "pg";

const SECRET_PREFIX = "urlvr_";
/** Shown in lists so a person can tell tokens apart without the secret. */
const VISIBLE_CHARS = 10;

export interface ApiTokenInfo {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export function hashToken(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

export async function createToken(db: pg.Pool | pg.ClientBase, name: string): Promise<{ id: string; secret: string; prefix: string }> {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 200) throw new Error("A token needs a name of 1 to 200 characters");
  const secret = SECRET_PREFIX + randomBytes(32).toString("base64url");
  const prefix = secret.slice(0, SECRET_PREFIX.length + VISIBLE_CHARS);
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO "ApiToken" ("name", "prefix", "tokenHash") VALUES ($1, $2, $3) RETURNING "id"`,
    [trimmed, prefix, hashToken(secret)],
  );
  return { id: rows[0]!.id, secret, prefix };
}

/**
 * The token a secret belongs to, or null when unknown or revoked. Looked up by hash (unique index);
 * the final comparison is constant-time. lastUsedAt is refreshed at most once a minute.
 */
export async function verifyToken(db: pg.Pool | pg.ClientBase, secret: string): Promise<ApiTokenInfo | null> {
  if (!secret || secret.length > 512) return null;
  const hash = hashToken(secret);
  const { rows } = await db.query<ApiTokenInfo & { tokenHash: string }>(
    `SELECT "id", "name", "prefix", "tokenHash", "createdAt", "lastUsedAt", "revokedAt" FROM "ApiToken" WHERE "tokenHash" = $1`,
    [hash],
  );
  const row = rows[0];
  if (!row || row.revokedAt) return null;
  if (!timingSafeEqual(Buffer.from(row.tokenHash, "hex"), Buffer.from(hash, "hex"))) return null;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await db.query(`UPDATE "ApiToken" SET "lastUsedAt" = now() WHERE "id" = $1`, [row.id]);
  }
  const { tokenHash: _hash, ...info } = row;
  return info;
}

/** Revokes a token by id; false when there is no such token or it was already revoked. */
export async function revokeToken(db: pg.Pool | pg.ClientBase, id: string): Promise<boolean> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return false;
  const { rowCount } = await db.query(`UPDATE "ApiToken" SET "revokedAt" = now() WHERE "id" = $1 AND "revokedAt" IS NULL`, [id]);
  return (rowCount ?? 0) > 0;
}

export async function listTokens(db: pg.Pool | pg.ClientBase): Promise<ApiTokenInfo[]> {
  const { rows } = await db.query<ApiTokenInfo>(
    `SELECT "id", "name", "prefix", "createdAt", "lastUsedAt", "revokedAt" FROM "ApiToken" ORDER BY "createdAt"`,
  );
  return rows;
}

/** The secret from an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | null): string | null {
  const m = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return m ? m[1]! : null;
}
