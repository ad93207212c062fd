import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { describeConnectionError, parseDatabaseUrl, requireDatabaseUrl } from "./connection";
import { checkConnection } from "./pool";
import { inject } from "vitest";

describe("DATABASE_URL validation", () => {
  it.each([
    ["not a url", /not a valid URL/],
    ["mysql://u:p@localhost/db", /must start with postgres:\/\//],
    ["postgres://u:p@localhost:5432", /names no database/],
  ])("rejects %s", (raw, message) => {
    expect(() => parseDatabaseUrl(raw)).toThrow(message);
  });

  it("says what to do when DATABASE_URL is missing", () => {
    expect(() => requireDatabaseUrl({})).toThrow(/DATABASE_URL is not set/);
  });

  it("hides the password in messages", () => {
    expect(describeConnectionError({ code: "ECONNREFUSED" }, "postgres://u:secret@db.example:5433/x")).toBe(
      "Cannot connect to Postgres at db.example:5433/x: connection refused (is the server running and listening on that port?)",
    );
  });
});

describe("connecting to a wrong database", () => {
  const admin = new URL(inject("adminDatabaseUrl"));

  it("names a refused port", async () => {
    await expect(checkConnection("postgres://postgres:x@127.0.0.1:1/urlvr")).rejects.toThrow(
      "Cannot connect to Postgres at 127.0.0.1:1/urlvr: connection refused",
    );
  });

  it("names a wrong password", async () => {
    const url = new URL(admin);
    url.password = "wrong-password";
    await expect(checkConnection(url.toString())).rejects.toThrow(/rejected the user name or password/);
  });

  it("names a missing database", async () => {
    const url = new URL(admin);
    url.pathname = "/no_such_database";
    await expect(checkConnection(url.toString())).rejects.toThrow(/has no such database/);
  });

  it("`npm run db:migrate` with a wrong DATABASE_URL prints one clear line and exits 1", () => {
    const out = spawnSync("node_modules/.bin/tsx", ["scripts/migrate.ts"], {
      env: { ...process.env, DATABASE_URL: "postgres://postgres:x@127.0.0.1:1/urlvr" },
      encoding: "utf8",
    });
    expect(out.status).toBe(1);
    expect(out.stderr.trim()).toBe(
      "[migrate] Cannot connect to Postgres at 127.0.0.1:1/urlvr: connection refused (is the server running and listening on that port?)",
    );
  });
});
