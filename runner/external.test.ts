// Runs of an external base model: the runner starts the configured command with MLFLOW_TRACKING_URI,
// MLFLOW_RUN_ID and a token, and the command logs through the ingestion API (served here by a plain
// Node HTTP server in front of the route handler, as `next start` would).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { serveMlflowApi, type MlflowServer } from "../testing/mlflow-server";
import { FAST_FLAGS, printOutputsIfFailed, runStatus, startRunner, stopRunner, waitFor, type RunnerProcess } from "../testing/runner-processes";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { insertBaseModel, insertRun } from "../testing/fixtures";

let db: TestDatabase;
let server: MlflowServer;
let trackingUri: string;
const runners: RunnerProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  server = await serveMlflowApi(db.pool);
  trackingUri = server.uri;
});
afterAll(async () => {
  await server?.close();
  await db?.close();
});
beforeEach(() => db.reset());
afterEach(async (ctx) => {
  printOutputsIfFailed(ctx, runners);
  await Promise.all(runners.splice(0).map(stopRunner));
});

// What an outside trainer does with the environment it is given (plain fetch, as MLflow's client would).
const TRAINER = `
const base = process.env.MLFLOW_TRACKING_URI + "/api/2.0/mlflow/";
const headers = { authorization: "Bearer " + process.env.MLFLOW_TRACKING_TOKEN, "content-type": "application/json" };
const run_id = process.env.MLFLOW_RUN_ID;
const post = async (e, body) => { const r = await fetch(base + e, { method: "POST", headers, body: JSON.stringify(body) }); if (!r.ok) throw new Error(e + ": " + await r.text()); };
(async () => {
  const got = await fetch(base + "runs/get?run_id=" + run_id, { headers });
  if (!got.ok) throw new Error("runs/get " + got.status);
  await post("runs/update", { run_id, status: "RUNNING" });
  const metrics = [];
  for (let step = 1; step <= 40; step++) metrics.push({ key: "train/reward_accuracy", value: 1 / step, timestamp: Date.now(), step });
  await post("runs/log-batch", { run_id, metrics, params: [{ key: "reward_method", value: "majority_vote" }] });
  console.log("trainer done; database url " + (process.env.DATABASE_URL ? "visible" : "hidden"));
  await post("runs/update", { run_id, status: "FINISHED" });
  process.exit(Number(process.env.EXIT_CODE || 0));
})().catch((e) => { console.error(e.message); process.exit(1); });
`;

describe("external trainers", () => {
  it("runs the configured command, which logs through the ingestion API with its own token", async () => {
    const baseModelId = await insertBaseModel(db.pool, "qwen-external", true);
    const ok = await insertRun(db.pool, { baseModelId, config: { command: [process.execPath, "-e", TRAINER] } });
    const failing = await insertRun(db.pool, { baseModelId, config: { command: [process.execPath, "-e", TRAINER], env: { EXIT_CODE: "2" } } });
    const r = startRunner(db.url, ["--slots", "2", "--tracking-uri", trackingUri, ...FAST_FLAGS]);
    runners.push(r);
    await waitFor("both to settle", async () => {
      const [a, b] = [await runStatus(db.pool, ok), await runStatus(db.pool, failing)];
      return a.status !== "RUNNING" && a.status !== "QUEUED" && b.status !== "RUNNING" && b.status !== "QUEUED";
    }, 40_000, 200);
    expect(await runStatus(db.pool, ok)).toMatchObject({ status: "SUCCEEDED", currentStep: 40 });
    expect((await runStatus(db.pool, failing)).error).toMatch(/exited with code 2/);
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM "MetricPoint" WHERE "runId" = $1`, [ok]);
    expect(rows[0].n).toBe(40);
    const { rows: run } = await db.pool.query(`SELECT "rewardMethod", "mcsStep", "mcsCensored" FROM "Run" WHERE id = $1`, [ok]);
    expect(run[0]).toEqual({ rewardMethod: "majority_vote", mcsStep: 40, mcsCensored: true });
    const { rows: ev } = await db.pool.query(`SELECT message FROM "RunEvent" WHERE "runId" = $1`, [ok]);
    expect(ev.map((e) => e.message)).toContain("trainer done; database url hidden");
    // The per-run tokens were revoked when the runs ended.
    const { rows: tokens } = await db.pool.query(`SELECT count(*)::int AS n FROM "ApiToken" WHERE "revokedAt" IS NULL`);
    expect(tokens[0].n).toBe(0);
  }, 60_000);
});
