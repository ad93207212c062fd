// API tokens for runners and outside trainers (MLflow clients send MLFLOW_TRACKING_TOKEN as
// `Authorization: Bearer <token>`). The secret is shown once at creation; only its SHA-256 is stored,
// so a database leak reveals no usable token. 32 random bytes make brute force and salting moot.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type pg from "pg";
import { viaPg } from "../db/sql";
import { insertApiToken } from "../sql/insert-api-token";
import { revokeApiToken } from "../sql/revoke-api-token";
import { selectApiTokenByHash } from "../sql/select-api-token-by-hash";
import { selectApiTokens, type ApiTokenListRow } from "../sql/select-api-tokens";
import { updateApiTokenLastUsed } from "../sql/update-api-token-last-used";

const SECRET_PREFIX = "urlvr_";
/** Shown in lists so a person can tell tokens apart without the secret. */
const VISIBLE_CHARS = 10;

/** A token as lists show it (never its hash). */
export type ApiTokenInfo = ApiTokenListRow;

export function hashToken(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

export async function createToken(db: pg.Pool | pg.ClientBase, name: string): Promise<{ id: string; secret: string; prefix: string }> {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 200) throw new Error("A token needs a name of 1 to 200 characters");
  const secret = SECRET_PREFIX + randomBytes(32).toString("base64url");
  const prefix = secret.slice(0, SECRET_PREFIX.length + VISIBLE_CHARS);
  const id = await insertApiToken(viaPg(db), { name: trimmed, prefix, tokenHash: hashToken(secret) });
  return { id, secret, prefix };
}

/**
 * The token a secret belongs to, or null when unknown or revoked. Looked up by hash (unique index);
 * the final comparison is constant-time. lastUsedAt is refreshed at most once a minute.
 */
export async function verifyToken(db: pg.Pool | pg.ClientBase, secret: string): Promise<ApiTokenInfo | null> {
  if (!secret || secret.length > 512) return null;
  const hash = hashToken(secret);
  const sql = viaPg(db);
  const row = await selectApiTokenByHash(sql, hash);
  if (!row || row.revokedAt) return null;
  if (!timingSafeEqual(Buffer.from(row.tokenHash, "hex"), Buffer.from(hash, "hex"))) return null;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await updateApiTokenLastUsed(sql, row.id);
  }
  const { tokenHash: _hash, ...info } = row;
  return info;
}

/** Revokes a token by id; false when there is no such token or it was already revoked. */
export async function revokeToken(db: pg.Pool | pg.ClientBase, id: string): Promise<boolean> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return false;
  return revokeApiToken(viaPg(db), id);
}

export async function listTokens(db: pg.Pool | pg.ClientBase): Promise<ApiTokenInfo[]> {
  return selectApiTokens(viaPg(db));
}

/** The secret from an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | null): string | null {
  const m = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return m ? m[1]! : null;
}
