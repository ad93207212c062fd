// The command lines: the runner's and the token tool's start-up errors and the token round trip.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyToken } from "../server/auth/tokens";
import { parseRunnerOptions, RUNNER_FLAGS } from "./options";
import { createTestDatabase, type TestDatabase } from "../testing/database";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "..");
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.close();
});

async function tsx(file: string, args: string[], env: Record<string, string | undefined>) {
  const e = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete e[k];
  try {
    const r = await run(process.execPath, ["--import", "tsx", file, ...args], { cwd: ROOT, env: e, timeout: 20_000 });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (err) {
    const x = err as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout + x.stderr };
  }
}

describe("runner command line", () => {
  it("fails clearly without a DATABASE_URL, with a wrong one, and with bad flags", async () => {
    const missing = await tsx("runner/main.ts", [], { DATABASE_URL: undefined });
    expect(missing.code).toBe(1);
    expect(missing.out).toMatch(/DATABASE_URL is not set/);
    const refused = await tsx("runner/main.ts", [], { DATABASE_URL: "postgres://u:p@127.0.0.1:1/x" });
    expect(refused.out).toMatch(/Cannot connect to Postgres at 127\.0\.0\.1:1\/x: connection refused/);
    const notUrl = await tsx("runner/main.ts", [], { DATABASE_URL: "mysql://x/y" });
    expect(notUrl.out).toMatch(/must start with postgres:\/\//);
    const badFlag = await tsx("runner/main.ts", ["--slots", "0"], { DATABASE_URL: db.url });
    expect(badFlag.code).toBe(2);
    expect(badFlag.out).toMatch(/--slots: must be at least 1\n\(see --help\)/);
  }, 60_000);

  it("validates flags and their environment fallbacks", () => {
    const o = parseRunnerOptions(["--slots", "3", "--devices", "cpu,webgpu"], { URLVR_LEASE_MS: "3000", URLVR_HEARTBEAT_MS: "1000" });
    expect(o).toMatchObject({ slots: 3, devices: ["cpu", "webgpu"], leaseMs: 3000, heartbeatMs: 1000, pollMs: 1000 });
    expect(() => parseRunnerOptions(["--devices", "tpu"], {})).toThrow(/--devices: takes a comma list of cpu, webgpu/);
    expect(() => parseRunnerOptions(["--lease-ms", "1000"], {})).toThrow(/at least twice --heartbeat-ms/);
    expect(() => parseRunnerOptions(["--bogus"], {})).toThrow(/bogus/);
    expect(parseRunnerOptions([], {})).toMatchObject({ stallMs: 600_000, runnerRetentionMs: 7 * 24 * 3_600_000, maxBufferedPoints: 1_000_000 });
    expect(parseRunnerOptions(["--stall-ms", "4000"], { URLVR_RUNNER_RETENTION_MS: "86400000", URLVR_MAX_BUFFERED_POINTS: "5000" })).toMatchObject({
      stallMs: 4000,
      runnerRetentionMs: 86_400_000,
      maxBufferedPoints: 5000,
    });
    expect(() => parseRunnerOptions(["--stall-ms", "0"], {})).toThrow(/--stall-ms: must be positive/);
    expect(() => parseRunnerOptions(["--runner-retention-ms", "60000"], {})).toThrow(/--runner-retention-ms must be longer than --lease-ms/);
    expect(() => parseRunnerOptions(["--max-buffered-points", "0"], {})).toThrow(/--max-buffered-points: must be at least 1/);
  });

  it("runner/README.md lists every flag as the flag table has it", () => {
    const readme = readFileSync(path.join(ROOT, "runner/README.md"), "utf8");
    const rows = readme.split("\n").filter((l) => l.startsWith("| `--"));
    expect(rows).toEqual(RUNNER_FLAGS.map((f) => `| \`--${f.flag}\` | \`${f.env}\` | ${f.default} | ${f.help} |`));
  });
});

describe("token command", () => {
  it("creates (secret printed once, only its hash stored), lists and revokes", async () => {
    const created = await tsx("scripts/token.ts", ["create", "ci trainer"], { DATABASE_URL: db.url });
    expect(created.code).toBe(0);
    const secret = created.out.match(/urlvr_[\w-]{43}/)![0];
    const { rows } = await db.pool.query(`SELECT "tokenHash", prefix FROM "ApiToken"`);
    expect(rows).toHaveLength(1);
    expect(rows[0].tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(secret);
    const info = await verifyToken(db.pool, secret);
    expect(info?.name).toBe("ci trainer");
    const list = await tsx("scripts/token.ts", ["list"], { DATABASE_URL: db.url });
    expect(list.out).toContain(`${info!.id}  ${rows[0].prefix}…  ci trainer  active`);
    expect(list.out).not.toContain(secret);
    expect((await tsx("scripts/token.ts", ["revoke", info!.id], { DATABASE_URL: db.url })).out).toContain("Revoked");
    expect(await verifyToken(db.pool, secret)).toBeNull();
    const again = await tsx("scripts/token.ts", ["revoke", info!.id], { DATABASE_URL: db.url });
    expect(again.code).toBe(1);
    expect((await tsx("scripts/token.ts", ["frobnicate"], { DATABASE_URL: db.url })).code).toBe(2);
  }, 60_000);
});
