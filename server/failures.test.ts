// Hostile input and a database outage, through every boundary of the dashboard's server: tRPC (the
// router with its middleware), the MLflow API and the CSV exports (their route handlers with real
// Request objects), on a Postgres of this file's own that the outage test really stops and starts.
import { TRPCError } from "@trpc/server";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { GET as metricsCsv } from "../app/api/export/metrics.csv/route";
import { GET as runsCsv } from "../app/api/export/runs.csv/route";
import { GET as leaderboardCsv } from "../app/api/export/leaderboard.csv/route";
import { OWN_PG_PORTS } from "../scripts/lib/ports";
import { startOwnTestDatabase, type TestDatabase } from "../testing/database";
import { createCaller } from "./api/root";
import { createToken } from "./auth/tokens";
import { createPrisma, type PrismaClient } from "./db/prisma";
import { AppError, DATABASE_UNREACHABLE, pageData } from "./errors";
import { listRuns } from "./services/runs";
import { listRunsInputSchema } from "./schemas/runs";
import { mlflowCaller } from "../testing/mlflow-client";

let db: TestDatabase;
let prisma: PrismaClient;
let caller: ReturnType<typeof createCaller>;
let token: string;
let modelId: string;
let queuedRun: string;
const UNKNOWN = "00000000-0000-4000-8000-000000000000";

beforeAll(async () => {
  db = await startOwnTestDatabase(OWN_PG_PORTS.serverFailuresTest);
  process.env.DATABASE_URL = db.url; // the routes' pools are created on first use
  prisma = createPrisma(db.url);
  caller = createCaller({ prisma, headers: new Headers() });
  token = (await createToken(db.pool, "trainer")).secret;
  modelId = (await prisma.baseModel.create({ data: { name: "arith-small", family: "t", paramCount: 1n, architecture: {} } })).id;
  queuedRun = (
    await prisma.run.create({ data: { baseModelId: modelId, rewardMethod: "majority_vote", task: "arith", datasetSize: 64, seed: 1, config: {}, totalSteps: 10 } })
  ).id;
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

async function failure(work: Promise<unknown>): Promise<TRPCError> {
  const err = await work.then(
    () => new Error("expected the call to fail"),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TRPCError);
  return err as TRPCError;
}

const mlflow = (endpoint: string, body?: unknown) => mlflowCaller(token)(endpoint, body);

/** Every row count the boundaries could change. */
async function counts(): Promise<string> {
  const tables = ["Experiment", "Run", "MetricPoint", "RunAttribute", "ApiToken", "RunEvent"];
  const { rows } = await db.pool.query<{ t: string; n: number }>(
    tables.map((t) => `SELECT '${t}' AS t, count(*)::int AS n FROM "${t}"`).join(" UNION ALL "),
  );
  return rows.map((r) => `${r.t}:${r.n}`).join(" ");
}

const launchInput = (over: Record<string, unknown>) => ({
  name: "grid",
  baseModelIds: [modelId],
  rewardMethods: ["majority_vote"],
  task: "arith",
  datasetSizes: [64],
  seeds: [1],
  ...over,
});

describe("text Postgres cannot store", () => {
  it("is refused by tRPC with the field named, before anything is written", async () => {
    const before = await counts();
    for (const [over, field] of [
      [{ name: "a\u0000b" }, "name"],
      [{ notes: "lone \uD800 surrogate" }, "notes"],
      [{ tags: ["ok", "x\u0000"] }, "tags"],
    ] as const) {
      const err = await failure(caller.launch.create(launchInput(over) as never));
      expect(err.code, field).toBe("BAD_REQUEST");
      expect((err.cause as AppError).fieldErrors, field).toHaveProperty(field);
      expect(err.message).toMatch(new RegExp(`^${field}: ${field}(\\.\\d+)? must`));
      expect(err.message).not.toMatch(/prisma|postgres|invalid byte sequence/i);
    }
    expect((await failure(caller.tokens.create({ name: "t\u0000" }))).code).toBe("BAD_REQUEST");
    expect((await failure(caller.runs.list({ model: "arith\u0000" }))).code).toBe("BAD_REQUEST");
    expect(await counts()).toBe(before);
  });

  it("is refused by the MLflow API as INVALID_PARAMETER_VALUE naming the parameter", async () => {
    const before = await counts();
    let r = await mlflow("experiments/create", { name: "exp\u0000" });
    expect(r).toMatchObject({ status: 400, json: { error_code: "INVALID_PARAMETER_VALUE", message: "Invalid value for parameter 'name': must not contain NUL characters (\\u0000)" } });
    r = await mlflow("experiments/get-by-name", "experiment_name=%00");
    expect(r).toMatchObject({ status: 400, json: { error_code: "INVALID_PARAMETER_VALUE" } });
    r = await mlflow("runs/create", { experiment_id: "0", tags: [{ key: "k", value: "\uDC00" }] });
    expect(r).toMatchObject({ status: 400, json: { message: expect.stringContaining("'tags.0.value'") } });
    expect(await counts()).toBe(before);
  });

  it("is refused by the CSV exports with a 400 before the download starts", async () => {
    for (const url of ["runs.csv?tag=%00", "runs.csv?model=a,%00", `metrics.csv?runs=${queuedRun}&key=%00`, "leaderboard.csv?protocol=%00"]) {
      const handler = url.startsWith("runs") ? runsCsv : url.startsWith("metrics") ? metricsCsv : leaderboardCsv;
      const res = await handler(new Request(`http://lab.test/api/export/${url}`));
      expect(res.status, url).toBe(400);
      expect(res.headers.get("content-type"), url).toMatch(/json/);
      const body = (await res.json()) as { error: { message: string; fieldErrors: Record<string, string[]> } };
      expect(body.error.message, url).toMatch(/must not contain NUL/);
    }
    const bad = await runsCsv(new Request("http://lab.test/api/export/runs.csv?status=DONE"));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { fieldErrors: Record<string, string[]> } }).error.fieldErrors.status).toBeDefined();
  });
});

describe("the MLflow API's validation", () => {
  it("accepts metric keys of any script, as MLflow's Unicode \\w does", async () => {
    const exp = await mlflow("experiments/create", { name: "unicode" });
    const run = await mlflow("runs/create", { experiment_id: exp.json.experiment_id });
    const runId = (run.json.run as { info: { run_id: string } }).info.run_id;
    const r = await mlflow("runs/log-metric", { run_id: runId, key: "損失/λ_ü", value: 0.5, timestamp: 1, step: 0 });
    expect(r.status).toBe(200);
    const { rows } = await db.pool.query(`SELECT key FROM "MetricPoint" WHERE "runId" = $1`, [runId]);
    expect(rows).toEqual([{ key: "損失/λ_ü" }]);
    expect((await mlflow("runs/log-metric", { run_id: runId, key: "bad*key", value: 1, timestamp: 1 })).status).toBe(400);
  });

  it("says an over-long experiment name is too long, not that it is not a string", async () => {
    const r = await mlflow("experiments/create", { name: "x".repeat(501) });
    expect(r).toMatchObject({ status: 400, json: { message: "Invalid value for parameter 'name': Experiment name must be at most 500 characters" } });
  });
});

describe("tRPC errors", () => {
  it("answers 404 for unknown run ids on cancel and re-queue, and changes nothing", async () => {
    for (const ids of [[UNKNOWN], [queuedRun, UNKNOWN]]) {
      const cancel = await failure(caller.runs.cancel({ ids }));
      expect(cancel).toMatchObject({ code: "NOT_FOUND", message: `No run with id ${UNKNOWN}` });
      expect((await failure(caller.runs.requeue({ ids }))).code).toBe("NOT_FOUND");
    }
    expect((await prisma.run.findUniqueOrThrow({ where: { id: queuedRun } })).status).toBe("QUEUED");
    expect((await failure(caller.tokens.revoke({ id: UNKNOWN }))).code).toBe("NOT_FOUND");
  });

  it("words validation errors instead of carrying zod's issue array", async () => {
    const err = await failure(caller.runs.cancel({ ids: ["not-a-uuid"] }));
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.message).toMatch(/^Invalid input: ids\.0: /);
    expect(err.message).not.toContain("[");
  });
});

describe("database down", () => {
  it("answers 503 on every boundary, names the cause on health, logs one line at most, and recovers", async () => {
    const logged: string[] = [];
    vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void logged.push(a.map(String).join(" ")));
    await db.stopServer();
    try {
      for (const work of [caller.runs.list({}), caller.runs.cancel({ ids: [queuedRun] }), caller.launch.create(launchInput({}) as never), caller.leaderboard.get({})]) {
        expect(await failure(work)).toMatchObject({ code: "SERVICE_UNAVAILABLE", message: DATABASE_UNREACHABLE });
      }
      const health = await caller.health.status();
      expect(health.database.ok).toBe(false);
      expect(health.database.message).toMatch(/reach database server|ECONNREFUSED|terminat/i);
      expect(health.counts).toBeNull();

      expect(await mlflow("experiments/get", "experiment_id=0")).toMatchObject({ status: 503, json: { error_code: "TEMPORARILY_UNAVAILABLE" } });
      for (const res of [
        await runsCsv(new Request("http://lab.test/api/export/runs.csv")),
        await metricsCsv(new Request(`http://lab.test/api/export/metrics.csv?runs=${queuedRun}`)),
        await leaderboardCsv(new Request("http://lab.test/api/export/leaderboard.csv")),
      ]) {
        expect(res.status).toBe(503);
        expect(((await res.json()) as { error: { message: string } }).error.message).toBe(DATABASE_UNREACHABLE);
      }
      await expect(pageData("/runs", () => listRuns(prisma, listRunsInputSchema.parse({})))).rejects.toMatchObject({ code: "UNAVAILABLE" });
    } finally {
      await db.startServer();
    }
    expect(logged.filter((l) => l.includes("\n"))).toEqual([]);
    expect(logged).toEqual([]); // an outage is not an internal error: nothing to look up in the log

    expect((await caller.runs.list({ status: "QUEUED" })).total).toBe(1);
    expect(await caller.runs.cancel({ ids: [queuedRun] })).toEqual({ canceled: 1, stopping: 0 });
    expect((await caller.health.status()).database.ok).toBe(true);
  });
});
