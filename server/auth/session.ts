// Admin login for the dashboard. On a localhost start with no settings there is no login: every
// page and every change is open. When URLVR_ADMIN_PASSWORD is set, every change (launch, cancel,
// re-queue, API tokens) needs a session: a signed cookie that is HttpOnly (scripts cannot read it)
// and SameSite=Strict (the browser never sends it on a request started by another site). Changes
// also check the Origin header (see isSameOrigin), a second wall against cross-site requests that
// holds even when a browser does not honour SameSite.
//
// Cookie value: `v1.<expiresAtMs>.<nonce>.<hmac>`, HMAC-SHA256 over `v1.<expiresAtMs>.<nonce>` with
// URLVR_SESSION_SECRET, or, when that is unset, a key derived from the password (so changing the
// password logs everyone out). Nothing is stored server-side; a session ends when it expires.
import "server-only";
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const SESSION_COOKIE = "urlvr_session";
/** Sessions last 7 days. */
export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;

export interface AuthConfig {
  /** False on an open start (no admin password): nothing needs a login. */
  required: boolean;
  password: string | null;
  secret: Buffer | null;
}

/** Read on every call, not at import, so a changed environment (tests, restarts) takes effect. */
export function authConfig(env: Record<string, string | undefined> = process.env): AuthConfig {
  const password = env.URLVR_ADMIN_PASSWORD ?? "";
  if (password.length === 0) return { required: false, password: null, secret: null };
  const explicit = env.URLVR_SESSION_SECRET ?? "";
  const secret =
    explicit.length > 0
      ? createHash("sha256").update(explicit, "utf8").digest()
      : createHash("sha256").update(`urlvr-session-key\u0000${password}`, "utf8").digest();
  return { required: true, password, secret };
}

function sign(secret: Buffer, payload: string): string {
  return createHmac("sha256", secret).update(payload, "utf8").digest("base64url");
}

function equalConstantTime(a: string, b: string): boolean {
  // Hash both first so the comparison never leaks the length of either side.
  const ha = createHash("sha256").update(a, "utf8").digest();
  const hb = createHash("sha256").update(b, "utf8").digest();
  return timingSafeEqual(ha, hb);
}

export function checkPassword(candidate: string, config: AuthConfig = authConfig()): boolean {
  if (!config.required || config.password === null) return true;
  return equalConstantTime(candidate, config.password);
}

/** A new signed session value (the cookie's value, not the Set-Cookie line). */
export function createSessionValue(config: AuthConfig = authConfig(), now = Date.now()): string {
  if (!config.secret) throw new Error("No admin password is configured: there is nothing to log in to");
  const payload = `v1.${now + SESSION_TTL_MS}.${randomBytes(16).toString("base64url")}`;
  return `${payload}.${sign(config.secret, payload)}`;
}

/** True when the value carries our signature and has not expired. */
export function verifySessionValue(value: string | null | undefined, config: AuthConfig = authConfig(), now = Date.now()): boolean {
  if (!config.secret || !value || value.length > 300) return false;
  const parts = value.split(".");
  if (parts.length !== 4 || parts[0] !== "v1") return false;
  const expires = Number(parts[1]);
  if (!Number.isSafeInteger(expires) || expires <= now) return false;
  const payload = parts.slice(0, 3).join(".");
  return equalConstantTime(parts[3]!, sign(config.secret, payload));
}

/** The value of one cookie from a Cookie header. */
export function readCookie(header: string | null, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

/** The cookie attributes a session is set with (Next's cookies().set takes the same fields). */
export function sessionCookieOptions(secure: boolean) {
  return {
    httpOnly: true,
    sameSite: "strict" as const,
    path: "/",
    secure,
    maxAge: Math.floor(SESSION_TTL_MS / 1000),
  };
}

/** A Set-Cookie line for the session (used by tests and plain route handlers). */
export function sessionSetCookie(value: string, secure: boolean): string {
  const o = sessionCookieOptions(secure);
  return `${SESSION_COOKIE}=${value}; Path=${o.path}; Max-Age=${o.maxAge}; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
}

/** True when the request's headers carry a valid session, or when no login is configured. */
export function isAuthenticated(headers: Headers, config: AuthConfig = authConfig()): boolean {
  if (!config.required) return true;
  return verifySessionValue(readCookie(headers.get("cookie"), SESSION_COOKIE), config);
}

/**
 * CSRF check for changes. A browser sends Origin on every cross-origin request and on same-origin
 * POSTs; it must name this host. Fetch metadata (Sec-Fetch-Site) must not say cross-site. A request
 * with neither header is not from a browser page (curl, scripts), which cannot ride a victim's
 * cookie, so it passes this check and still needs the session like everything else.
 */
export function isSameOrigin(headers: Headers): boolean {
  const site = headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") return false;
  const origin = headers.get("origin");
  if (!origin) return true;
  if (origin === "null") return false;
  const host = headers.get("x-forwarded-host") ?? headers.get("host");
  if (!host) return false;
  try {
    return new URL(origin).host.toLowerCase() === host.split(",")[0]!.trim().toLowerCase();
  } catch {
    return false;
  }
}
