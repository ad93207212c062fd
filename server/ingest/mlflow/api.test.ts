// The MLflow REST routes, called through the Next route's exports with real Request objects, against
// a real Postgres: a client-style sequence, and malformed or unauthorized requests that must get a
// 4xx with a clear message and leave the database unchanged.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET, POST, DELETE } from "../../../app/api/2.0/mlflow/[...path]/route";
import { createTestDatabase, type TestDatabase } from "../../../testing/database";
import { createToken, revokeToken } from "../../auth/tokens";

let db: TestDatabase;
let token: string;
let revoked: string;
const BASE = "http://lab.test/api/2.0/mlflow/";

beforeAll(async () => {
  db = await createTestDatabase();
  process.env.DATABASE_URL = db.url; // the route's pool is created on first use
  token = (await createToken(db.pool, "trainer")).secret;
  const r = await createToken(db.pool, "old");
  await revokeToken(db.pool, r.id);
  revoked = r.secret;
});
afterAll(async () => {
  await db?.close();
});

type Opts = { auth?: string | null; raw?: string; method?: "GET" | "POST" | "DELETE" };

async function call(endpoint: string, body?: unknown, opts: Opts = {}) {
  const method = opts.method ?? (body === undefined || typeof body === "string" ? "GET" : "POST");
  const headers: Record<string, string> = { "content-type": "application/json" };
  const auth = opts.auth === undefined ? `Bearer ${token}` : opts.auth;
  if (auth) headers.authorization = auth;
  const url = BASE + endpoint + (method === "GET" && typeof body === "string" ? `?${body}` : "");
  const req = new Request(url, {
    method,
    headers,
    body: method === "GET" ? undefined : (opts.raw ?? JSON.stringify(body)),
  });
  const res = await (method === "GET" ? GET : method === "POST" ? POST : DELETE)(req);
  return { status: res.status, json: (await res.json()) as any };
}

/** Everything the API may write, as one fingerprint. */
async function snapshot(): Promise<string> {
  const tables = ["Experiment", "Run", "MetricPoint", "MetricSummary", "RunAttribute", "BaseModel", "RunEvent"];
  const parts = [];
  for (const t of tables) {
    const { rows } = await db.pool.query(`SELECT count(*) AS n, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM "${t}" x`);
    parts.push(`${t}:${rows[0].n}:${rows[0].h}`);
  }
  return parts.join(" ");
}

describe("MLflow tracking API", () => {
  let runId: string;
  let experimentId: string;

  it("serves an MLflow-client-style sequence", async () => {
    let r = await call("experiments/get-by-name", "experiment_name=ttrl-qwen");
    expect(r).toMatchObject({ status: 404, json: { error_code: "RESOURCE_DOES_NOT_EXIST" } });
    r = await call("experiments/create", { name: "ttrl-qwen", tags: [{ key: "team", value: "rl" }] });
    expect(r.status).toBe(200);
    experimentId = r.json.experiment_id;
    r = await call("experiments/get-by-name", "experiment_name=ttrl-qwen");
    expect(r.json.experiment).toMatchObject({ experiment_id: experimentId, name: "ttrl-qwen", lifecycle_stage: "active", tags: [{ key: "team", value: "rl" }] });

    r = await call("runs/create", {
      experiment_id: experimentId,
      user_id: "alice",
      run_name: "qwen-mv-1",
      start_time: 1_700_000_000_000,
      tags: [{ key: "mlflow.source.name", value: "train.py" }, { key: "base_model", value: "Qwen2.5-7B" }],
    });
    expect(r.status).toBe(200);
    runId = r.json.run.info.run_id;
    expect(r.json.run.info).toMatchObject({ run_name: "qwen-mv-1", experiment_id: experimentId, user_id: "alice", status: "RUNNING", start_time: "1700000000000" });

    expect((await call("runs/log-parameter", { run_id: runId, key: "reward_method", value: "majority_vote" })).status).toBe(200);
    // The Python client's JSON: int64 as strings, non-finite doubles as strings.
    const metrics = [];
    for (let s = 1; s <= 300; s++) {
      metrics.push({ key: "train/reward_accuracy", value: s < 250 ? 0.5 : 0.004, timestamp: String(1_700_000_000_000 + s), step: String(s) });
      metrics.push({ key: "actor/grad_norm", value: s % 50 === 0 ? "NaN" : s % 77 === 0 ? "Infinity" : s / 10, timestamp: 1_700_000_000_000 + s, step: s });
    }
    for (let i = 0; i < metrics.length; i += 1000) {
      const batch = { run_id: runId, metrics: metrics.slice(i, i + 1000), params: i === 0 ? [{ key: "lr", value: "1e-6" }, { key: "seed", value: "3" }] : [], tags: [] };
      expect((await call("runs/log-batch", batch)).status).toBe(200);
    }
    // A retried request stores nothing twice; logging the same param value again is allowed.
    expect((await call("runs/log-batch", { run_id: runId, metrics: metrics.slice(0, 10), params: [{ key: "lr", value: "1e-6" }] })).status).toBe(200);
    // Bare NaN / Infinity tokens (Python's json.dumps) are accepted too.
    const raw = `{"run_id": "${runId}", "key": "actor/entropy", "value": NaN, "timestamp": 1700000000999, "step": 7}`;
    expect((await call("runs/log-metric", undefined, { method: "POST", raw })).status).toBe(200);
    expect((await call("runs/log-metric", { run_uuid: runId, key: "actor/entropy", value: -Infinity === -Infinity ? "-Infinity" : 0, timestamp: 1_700_000_001_000, step: 8 })).status).toBe(200);
    expect((await call("runs/set-tag", { run_id: runId, key: "note", value: "first try" })).status).toBe(200);

    r = await call("runs/get", `run_id=${runId}`);
    expect(r.status).toBe(200);
    expect(r.json.run.data.params).toEqual([{ key: "lr", value: "1e-6" }, { key: "reward_method", value: "majority_vote" }, { key: "seed", value: "3" }]);
    expect(r.json.run.data.tags).toEqual(expect.arrayContaining([{ key: "note", value: "first try" }, { key: "mlflow.runName", value: "qwen-mv-1" }]));
    expect(r.json.run.data.metrics).toEqual(
      expect.arrayContaining([
        { key: "train/reward_accuracy", value: 0.004, timestamp: "1700000000300", step: "300" },
        { key: "actor/grad_norm", value: "NaN", timestamp: "1700000000300", step: "300" },
        { key: "actor/entropy", value: "-Infinity", timestamp: "1700000001000", step: "8" },
      ]),
    );

    r = await call("runs/update", { run_id: runId, status: "FINISHED", end_time: 1_700_000_100_000 });
    expect(r.json.run_info).toMatchObject({ status: "FINISHED", end_time: "1700000100000" });

    const { rows } = await db.pool.query(
      `SELECT r.status, r."rewardMethod", r.seed, r."currentStep", r."mcsStep", r."mcsCensored", b.name, b.external
       FROM "Run" r JOIN "BaseModel" b ON b.id = r."baseModelId" WHERE r.id = $1`,
      [runId],
    );
    expect(rows[0]).toEqual({ status: "SUCCEEDED", rewardMethod: "majority_vote", seed: 3, currentStep: 300, mcsStep: 250, mcsCensored: false, name: "Qwen2.5-7B", external: true });
    const { rows: s } = await db.pool.query(`SELECT key, count, min, max FROM "MetricSummary" WHERE "runId" = $1 ORDER BY key`, [runId]);
    expect(s).toEqual([
      { key: "actor/entropy", count: 2, min: null, max: null },
      { key: "actor/grad_norm", count: 300, min: 0.1, max: 29.9 },
      { key: "train/reward_accuracy", count: 300, min: 0.004, max: 0.5 },
    ]);
  });

  it("maps MLflow statuses onto runs; experiment 0 is the Default experiment", async () => {
    const created = await call("runs/create", { experiment_id: "0", run_name: "scratch" });
    expect(created.status).toBe(200);
    const id = created.json.run.info.run_id;
    const ex = await call("experiments/get", `experiment_id=${created.json.run.info.experiment_id}`);
    expect(ex.json.experiment.name).toBe("Default");
    expect((await call("experiments/get", "experiment_id=0")).json.experiment.experiment_id).toBe(ex.json.experiment.experiment_id);
    const r = await call("runs/update", { run_id: id, status: "KILLED", run_name: "scratch-2" });
    expect(r.json.run_info).toMatchObject({ status: "KILLED", run_name: "scratch-2" });
    const { rows } = await db.pool.query(`SELECT status, "finishedAt" IS NOT NULL AS finished, b.name FROM "Run" r JOIN "BaseModel" b ON b.id = r."baseModelId" WHERE r.id = $1`, [id]);
    expect(rows[0]).toEqual({ status: "CANCELED", finished: true, name: "external" });
  });

  it("answers malformed and unauthorized requests with a 4xx and a clear message, changing nothing", async () => {
    const before = await snapshot();
    const unknownRun = "00000000-0000-4000-8000-000000000000";
    const m = (step: unknown = 1, extra: object = {}) => ({ key: "train/reward_accuracy", value: 0.1, timestamp: 1_700_000_000_000, step, ...extra });
    const many = (n: number, f: (i: number) => unknown) => Array.from({ length: n }, (_, i) => f(i));
    const cases: Array<[string, () => ReturnType<typeof call>, number, string, RegExp]> = [
      ["no token", () => call("runs/log-batch", { run_id: runId, metrics: [m()] }, { auth: null }), 401, "UNAUTHENTICATED", /Missing API token/],
      ["wrong token", () => call("runs/log-batch", { run_id: runId, metrics: [m()] }, { auth: "Bearer urlvr_nope" }), 401, "UNAUTHENTICATED", /Invalid or revoked/],
      ["revoked token", () => call("runs/log-batch", { run_id: runId, metrics: [m()] }, { auth: `Bearer ${revoked}` }), 401, "UNAUTHENTICATED", /Invalid or revoked/],
      ["basic auth", () => call("runs/get", `run_id=${runId}`, { auth: `Basic ${btoa("a:b")}` }), 401, "UNAUTHENTICATED", /Bearer/],
      ["unknown endpoint", () => call("artifacts/list", { run_id: runId }), 404, "ENDPOINT_NOT_FOUND", /No MLflow endpoint/],
      ["GET on a POST endpoint", () => call("runs/log-batch", `run_id=${runId}`), 405, "METHOD_NOT_ALLOWED", /takes POST, not GET/],
      ["POST on a GET endpoint", () => call("runs/get", { run_id: runId }), 405, "METHOD_NOT_ALLOWED", /takes GET/],
      ["DELETE", () => call("runs/update", undefined, { method: "DELETE" }), 405, "METHOD_NOT_ALLOWED", /takes POST/],
      ["bad JSON", () => call("runs/log-batch", undefined, { method: "POST", raw: `{"run_id": "${runId}", "metrics": [` }), 400, "BAD_REQUEST", /not valid JSON/],
      ["empty body", () => call("runs/log-batch", undefined, { method: "POST", raw: "" }), 400, "INVALID_PARAMETER_VALUE", /empty/],
      ["array body", () => call("runs/log-batch", [m()]), 400, "INVALID_PARAMETER_VALUE", /JSON object/],
      ["missing run_id", () => call("runs/log-batch", { metrics: [m()] }), 400, "INVALID_PARAMETER_VALUE", /Missing value for required parameter 'run_id'/],
      ["unknown run", () => call("runs/log-batch", { run_id: unknownRun, metrics: [m()] }), 404, "RESOURCE_DOES_NOT_EXIST", /Run with id=0000.* not found/],
      ["run id not a uuid", () => call("runs/log-metric", { run_id: "abc", ...m() }), 404, "RESOURCE_DOES_NOT_EXIST", /Run with id=abc not found/],
      ["value not a number", () => call("runs/log-batch", { run_id: runId, metrics: [m(1), m(2, { value: "abc" })] }), 400, "INVALID_PARAMETER_VALUE", /metrics\[1\]\.value.*must be a number/],
      ["value an object", () => call("runs/log-metric", { run_id: runId, ...m(1, { value: { v: 1 } }) }), 400, "INVALID_PARAMETER_VALUE", /'value': must be a number/],
      ["missing timestamp", () => call("runs/log-batch", { run_id: runId, metrics: [m(1), { key: "k", value: 1, step: 2 }] }), 400, "INVALID_PARAMETER_VALUE", /Missing value for required parameter 'metrics\[1\]\.timestamp'/],
      ["negative step", () => call("runs/log-metric", { run_id: runId, ...m(-1) }), 400, "INVALID_PARAMETER_VALUE", /step must be from 0/],
      ["step over int32", () => call("runs/log-metric", { run_id: runId, ...m(2 ** 31) }), 400, "INVALID_PARAMETER_VALUE", /step must be from 0/],
      ["fractional step", () => call("runs/log-metric", { run_id: runId, ...m(1.5) }), 400, "INVALID_PARAMETER_VALUE", /step must be an integer/],
      ["1001 metrics", () => call("runs/log-batch", { run_id: runId, metrics: many(1001, (i) => m(i)) }), 400, "INVALID_PARAMETER_VALUE", /at most 1000 metrics\. Got 1001 metrics/],
      ["101 params", () => call("runs/log-batch", { run_id: runId, params: many(101, (i) => ({ key: `p${i}`, value: "1" })) }), 400, "INVALID_PARAMETER_VALUE", /at most 100 params\. Got 101/],
      ["101 tags", () => call("runs/log-batch", { run_id: runId, tags: many(101, (i) => ({ key: `t${i}`, value: "1" })) }), 400, "INVALID_PARAMETER_VALUE", /at most 100 tags\. Got 101/],
      ["1100 entities", () => call("runs/log-batch", { run_id: runId, metrics: many(1000, (i) => m(i)), params: many(100, (i) => ({ key: `p${i}`, value: "1" })) }), 400, "INVALID_PARAMETER_VALUE", /at most 1000 metrics, params, and tags in total\. Got 1100/],
      ["metrics not a list", () => call("runs/log-batch", { run_id: runId, metrics: { key: "k" } }), 400, "INVALID_PARAMETER_VALUE", /'metrics': must be an array/],
      ["bad metric key", () => call("runs/log-metric", { run_id: runId, ...m(1, { key: "acc*" }) }), 400, "INVALID_PARAMETER_VALUE", /'key': Metric key may contain only/],
      ["param value too long", () => call("runs/log-parameter", { run_id: runId, key: "cfg", value: "x".repeat(6001) }), 400, "INVALID_PARAMETER_VALUE", /at most 6000 characters/],
      ["changing a param, atomically", () => call("runs/log-batch", { run_id: runId, metrics: [m(999)], params: [{ key: "lr", value: "2e-6" }] }), 400, "INVALID_PARAMETER_VALUE", /Changing param values is not allowed\. Param with key='lr'/],
      ["duplicate param keys", () => call("runs/log-batch", { run_id: runId, params: [{ key: "a", value: "1" }, { key: "a", value: "2" }] }), 400, "INVALID_PARAMETER_VALUE", /Duplicate parameter keys/],
      ["experiment exists", () => call("experiments/create", { name: "ttrl-qwen" }), 400, "RESOURCE_ALREADY_EXISTS", /already exists/],
      ["get-by-name without name", () => call("experiments/get-by-name", "name=x"), 400, "INVALID_PARAMETER_VALUE", /Missing value for required parameter 'experiment_name'/],
      ["runs/create in unknown experiment", () => call("runs/create", { experiment_id: unknownRun }), 404, "RESOURCE_DOES_NOT_EXIST", /No Experiment/],
      ["bad status", () => call("runs/update", { run_id: runId, status: "DONE" }), 400, "INVALID_PARAMETER_VALUE", /'status': must be one of RUNNING/],
      ["body over 2 MB", () => call("runs/log-batch", { run_id: runId, tags: [{ key: "big", value: "x".repeat(3_000_000) }] }), 413, "REQUEST_TOO_LARGE", /over the limit/],
      ["tags wrong type", () => call("runs/create", { experiment_id: experimentId, tags: "a=b" }), 400, "INVALID_PARAMETER_VALUE", /'tags': must be an array/],
    ];
    expect(cases.length).toBeGreaterThanOrEqual(20);
    for (const [name, send, status, code, message] of cases) {
      const r = await send();
      expect.soft({ name, status: r.status, code: r.json.error_code }).toEqual({ name, status, code });
      expect.soft(r.json.message, name).toMatch(message);
    }
    expect(await snapshot()).toBe(before);
  });
});
