import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { SESSION_COOKIE, authConfig, checkPassword, createSessionValue, isSameOrigin, readCookie, sessionSetCookie, verifySessionValue } from "../auth/session";
import { verifyToken } from "../auth/tokens";
import { createPrisma, type PrismaClient } from "../db/prisma";
import { getDashboardPool } from "../db/clients";
import { createCaller } from "./root";

let db: TestDatabase;
let prisma: PrismaClient;
const saved = { ...process.env };

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrisma(db.url);
  process.env.DATABASE_URL = db.url; // the tokens router's pg pool
});
afterEach(() => {
  delete process.env.URLVR_ADMIN_PASSWORD;
  delete process.env.URLVR_SESSION_SECRET;
});
afterAll(async () => {
  process.env = saved;
  await getDashboardPool(db.url).end();
  await prisma?.$disconnect();
  await db?.close();
});

const SAME = { host: "localhost:3000", origin: "http://localhost:3000" };
const caller = (headers: Record<string, string>) => createCaller({ prisma, headers: new Headers(headers) });

describe("sessions", () => {
  it("signs, verifies, expires and rejects tampering", () => {
    const config = authConfig({ URLVR_ADMIN_PASSWORD: "pw" });
    const value = createSessionValue(config, 1_000);
    expect(verifySessionValue(value, config, 2_000)).toBe(true);
    expect(verifySessionValue(value, config, 1_000 + 8 * 24 * 3600 * 1000)).toBe(false); // expired
    const [v, exp, nonce, mac] = value.split(".");
    expect(verifySessionValue([v, Number(exp) + 1e9, nonce, mac].join("."), config, 2_000)).toBe(false); // extended by hand
    expect(verifySessionValue([v, exp, nonce, mac!.slice(0, -2) + "AA"].join("."), config, 2_000)).toBe(false);
    expect(verifySessionValue("garbage", config)).toBe(false);
    // another password (or secret) means another key
    expect(verifySessionValue(value, authConfig({ URLVR_ADMIN_PASSWORD: "other" }), 2_000)).toBe(false);
    const withSecret = authConfig({ URLVR_ADMIN_PASSWORD: "pw", URLVR_SESSION_SECRET: "s3cret" });
    expect(verifySessionValue(value, withSecret, 2_000)).toBe(false);
    expect(verifySessionValue(createSessionValue(withSecret, 1_000), withSecret, 2_000)).toBe(true);
  });

  it("checks the password and sets a HttpOnly, SameSite=Strict cookie", () => {
    const config = authConfig({ URLVR_ADMIN_PASSWORD: "pw" });
    expect(checkPassword("pw", config)).toBe(true);
    expect(checkPassword("pw ", config)).toBe(false);
    expect(checkPassword("", config)).toBe(false);
    const line = sessionSetCookie("abc", false);
    expect(line).toContain("HttpOnly");
    expect(line).toContain("SameSite=Strict");
    expect(line).not.toContain("Secure");
    expect(sessionSetCookie("abc", true)).toContain("Secure");
    expect(readCookie(`a=1; ${SESSION_COOKIE}=xyz; b=2`, SESSION_COOKIE)).toBe("xyz");
  });

  it("recognizes cross-origin requests", () => {
    expect(isSameOrigin(new Headers(SAME))).toBe(true);
    expect(isSameOrigin(new Headers({ host: "localhost:3000" }))).toBe(true); // not a browser page
    expect(isSameOrigin(new Headers({ host: "localhost:3000", origin: "http://evil.example" }))).toBe(false);
    expect(isSameOrigin(new Headers({ host: "localhost:3000", origin: "http://localhost:4000" }))).toBe(false);
    expect(isSameOrigin(new Headers({ host: "localhost:3000", origin: "null" }))).toBe(false);
    expect(isSameOrigin(new Headers({ host: "localhost:3000", "sec-fetch-site": "cross-site" }))).toBe(false);
    expect(isSameOrigin(new Headers({ ...SAME, "sec-fetch-site": "same-origin" }))).toBe(true);
  });
});

describe("protected procedures (API tokens)", () => {
  it("no password: open, no login needed", async () => {
    const c = caller(SAME);
    expect(await c.auth.status()).toEqual({ required: false, authenticated: true });
    const created = await c.tokens.create({ name: "runner-1" });
    expect(created.secret).toMatch(/^urlvr_/);
    expect((await verifyToken(getDashboardPool(), created.secret))?.name).toBe("runner-1");
    const list = await c.tokens.list();
    expect(list.map((t) => t.name)).toContain("runner-1");
    expect(JSON.stringify(list)).not.toContain(created.secret); // the secret is shown once only
    expect(await c.tokens.revoke({ id: created.id })).toEqual({ revoked: true });
    expect(await verifyToken(getDashboardPool(), created.secret)).toBeNull();
    await expect(c.tokens.revoke({ id: created.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("no password still refuses cross-origin changes", async () => {
    await expect(caller({ host: "localhost:3000", origin: "http://evil.example" }).tokens.create({ name: "x" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });

  it("with a password: no session rejected, session accepted, tampered rejected, cross-origin rejected", async () => {
    process.env.URLVR_ADMIN_PASSWORD = "correct horse";
    await expect(caller(SAME).tokens.create({ name: "a" })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(caller(SAME).tokens.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(await caller(SAME).auth.status()).toEqual({ required: true, authenticated: false });

    const session = createSessionValue();
    const good = { ...SAME, cookie: `${SESSION_COOKIE}=${session}` };
    expect(await caller(good).auth.status()).toEqual({ required: true, authenticated: true });
    const created = await caller(good).tokens.create({ name: "trainer" });
    expect(created.secret).toMatch(/^urlvr_/);

    const tampered = session.replace(/\.(\d+)\./, (_, n) => `.${Number(n) + 1}.`);
    await expect(caller({ ...SAME, cookie: `${SESSION_COOKIE}=${tampered}` }).tokens.create({ name: "b" })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
    await expect(
      caller({ host: "localhost:3000", origin: "http://evil.example", cookie: `${SESSION_COOKIE}=${session}` }).tokens.create({ name: "c" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    // a password change logs everyone out
    process.env.URLVR_ADMIN_PASSWORD = "new password";
    await expect(caller(good).tokens.create({ name: "d" })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("validates input with field errors", async () => {
    await expect(caller(SAME).tokens.create({ name: "   " })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(caller(SAME).tokens.revoke({ id: "nope" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
