// The MLflow read endpoints (runs/search, metrics/get-history, experiments/search, experiments/list,
// and runs/get for dashboard runs), called through the Next route's exports with real Request
// objects against a real Postgres. Outside runs are logged through the API itself; dashboard runs
// come from the launch service and the runner's metric writer.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../testing/database";
import { insertBaseModel } from "../../../testing/fixtures";
import { mlflowCaller } from "../../../testing/mlflow-client";
import { createToken } from "../../auth/tokens";
import { createPrisma, type PrismaClient } from "../../db/prisma";
import { launchInputSchema } from "../../schemas/launch";
import { launchGrid } from "../../services/launch";
import { writeMetricBatch } from "../metrics";

let db: TestDatabase;
let prisma: PrismaClient;
let token: string;
const T0 = 1_700_000_000_000;

/** A query string GETs, an object POSTs (testing/mlflow-client.ts), with this file's token. */
const call = (endpoint: string, body: Record<string, unknown> | string) => mlflowCaller(token)(endpoint, body);

const q = (o: Record<string, string | number>) => new URLSearchParams(Object.entries(o).map(([k, v]) => [k, String(v)])).toString();

/** Everything a request could write, as one fingerprint. */
async function snapshot(): Promise<string> {
  const parts = [];
  for (const t of ["Experiment", "Run", "MetricPoint", "MetricSummary", "RunAttribute", "BaseModel"]) {
    const { rows } = await db.pool.query(`SELECT count(*) AS n, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM "${t}" x`);
    parts.push(`${t}:${rows[0].n}:${rows[0].h}`);
  }
  return parts.join(" ");
}

// Fixture: experiment "ttrl-read" with outside runs A, B, C (newest last) and D (deleted), and a
// dashboard launch "dash grid" of two engine runs.
let exp: string;
const id: Record<"A" | "B" | "C" | "D", string> = { A: "", B: "", C: "", D: "" };
let dashExp: string;
let dashRuns: string[];

async function createRun(name: string, start: number, baseModel: string) {
  const r = await call("runs/create", {
    experiment_id: exp,
    run_name: name,
    user_id: "alice",
    start_time: start,
    tags: [{ key: "base_model", value: baseModel }, { key: "mlflow.source.name", value: "train.py" }],
  });
  expect(r.status).toBe(200);
  return r.json.run.info.run_id as string;
}

async function logBatch(runId: string, body: Record<string, unknown>) {
  const r = await call("runs/log-batch", { run_id: runId, ...body });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
}

const accuracy = (n: number, last: number | string) =>
  Array.from({ length: n }, (_, i) => ({ key: "train/reward_accuracy", value: i === n - 1 ? last : 0.5, timestamp: String(T0 + i + 1), step: String(i + 1) }));

beforeAll(async () => {
  db = await createTestDatabase();
  process.env.DATABASE_URL = db.url; // the route's pool is created on first use
  prisma = createPrisma(db.url);
  token = (await createToken(db.pool, "reader")).secret;

  const created = await call("experiments/create", { name: "ttrl-read", tags: [{ key: "team", value: "rl" }] });
  exp = created.json.experiment_id;
  id.A = await createRun("a", T0, "Qwen2.5-7B");
  id.B = await createRun("b", T0 + 1000, "Llama-3-8B");
  id.C = await createRun("c", T0 + 2000, "Qwen2.5-7B");
  id.D = await createRun("d", T0 + 3000, "Qwen2.5-7B");
  const grad = Array.from({ length: 300 }, (_, i) => ({ key: "actor/grad_norm", value: i === 299 ? "Infinity" : 1, timestamp: T0 + i + 1, step: i + 1 }));
  await logBatch(id.A, { metrics: accuracy(300, 0.004), params: [{ key: "lr", value: "1e-6" }, { key: "reward_method", value: "majority_vote" }] });
  await logBatch(id.A, { metrics: grad });
  await logBatch(id.B, { metrics: accuracy(10, 0.5), params: [{ key: "lr", value: "2e-6" }] });
  await logBatch(id.C, { metrics: accuracy(10, "NaN"), params: [{ key: "lr", value: "1e-6" }] });
  await logBatch(id.D, { metrics: accuracy(10, 0.001) });
  expect((await call("runs/update", { run_id: id.A, status: "FINISHED", end_time: T0 + 100_000 })).status).toBe(200);
  await db.pool.query(`UPDATE "Run" SET "deletedAt" = now() WHERE "id" = $1`, [id.D]);

  const model = await insertBaseModel(db.pool, "arith-small");
  const launched = await launchGrid(
    prisma,
    launchInputSchema.parse({
      name: "dash grid",
      tags: ["smoke"],
      baseModelIds: [model],
      rewardMethods: ["majority_vote"],
      task: "arith",
      seeds: [3, 4],
      steps: 6,
      promptsPerStep: 4,
      groupSize: 4,
      valEvery: 3,
    }),
  );
  dashExp = launched.experimentId;
  dashRuns = launched.runIds;
  await writeMetricBatch(db.pool, dashRuns[0]!, [0.6, 0.4, 0.005].map((value, i) => ({ key: "train/reward_accuracy", step: i + 1, value, wallTime: T0 + i })));
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.close();
});

const search = (body: Record<string, unknown>) => call("runs/search", { experiment_ids: [exp], ...body });
const ids = (r: { json: { runs: Array<{ info: { run_id: string } }> } }) => r.json.runs.map((x) => x.info.run_id);
const names = (r: { json: { runs: Array<{ info: { run_id: string } }> } }) =>
  ids(r).map((x) => (Object.keys(id) as Array<keyof typeof id>).find((k) => id[k] === x) ?? x);

describe("runs/search", () => {
  it("returns runs in MLflow's shape, newest first, the same as runs/get", async () => {
    const r = await search({});
    expect(r.status).toBe(200);
    expect(names(r)).toEqual(["C", "B", "A"]);
    expect(r.json.next_page_token).toBeUndefined();
    const a = r.json.runs[2];
    expect(Object.keys(a).sort()).toEqual(["data", "info", "inputs"]);
    expect(a.info).toEqual({
      run_id: id.A,
      run_uuid: id.A,
      run_name: "a",
      experiment_id: exp,
      user_id: "alice",
      status: "FINISHED",
      start_time: String(T0),
      end_time: String(T0 + 100_000),
      artifact_uri: "",
      lifecycle_stage: "active",
    });
    // int64 as strings, doubles as numbers or protobuf's strings for non-finite values.
    expect(a.data.metrics).toEqual([
      { key: "actor/grad_norm", value: "Infinity", timestamp: String(T0 + 300), step: "300" },
      { key: "train/reward_accuracy", value: 0.004, timestamp: String(T0 + 300), step: "300" },
    ]);
    expect(a.data.params).toEqual([{ key: "lr", value: "1e-6" }, { key: "reward_method", value: "majority_vote" }]);
    expect(a.data.tags).toEqual(
      expect.arrayContaining([{ key: "base_model", value: "Qwen2.5-7B" }, { key: "mlflow.runName", value: "a" }, { key: "mlflow.source.name", value: "train.py" }]),
    );
    expect(a.inputs).toEqual({});
    expect(r.json.runs[0].data.metrics).toEqual([{ key: "train/reward_accuracy", value: "NaN", timestamp: String(T0 + 10), step: "10" }]);
    for (const run of r.json.runs) {
      const got = await call("runs/get", q({ run_id: run.info.run_id }));
      expect(got.json.run).toEqual(run);
    }
  });

  it("filters on metrics (latest value), params, tags and attributes, joined by AND", async () => {
    const cases: Array<[string, string[]]> = [
      ["tags.base_model = 'Qwen2.5-7B'", ["C", "A"]],
      ["tags.base_model = 'Qwen2.5-7B' and metrics.`train/reward_accuracy` < 0.01", ["A"]],
      [`metrics."train/reward_accuracy" >= 0.5`, ["B"]],
      ["metrics.train/reward_accuracy < 0.01", ["A"]],
      ["metrics.`train/reward_accuracy` > 0.004", ["B"]],
      ["metrics.`train/reward_accuracy` <= 0.004", ["A"]],
      ["metrics.`train/reward_accuracy` = 0.5", ["B"]],
      // NaN is no value: it matches no comparison, != included.
      ["metrics.`train/reward_accuracy` != 0.5", ["A"]],
      ["metrics.`actor/grad_norm` > 1e6", ["A"]],
      ["metrics.no_such_metric > -1", []],
      ["params.lr = '1e-6'", ["C", "A"]],
      ["params.lr != '1e-6'", ["B"]],
      ["params.lr LIKE '%e-6'", ["C", "B", "A"]],
      ["param.lr = \"2e-6\"", ["B"]],
      ["tags.base_model LIKE 'qwen%'", []],
      ["tags.base_model ILIKE 'qwen%' AND params.lr = '1e-6'", ["C", "A"]],
      ["tags.`mlflow.runName` = 'b'", ["B"]],
      ["tags.nope = 'x'", []],
      [`attributes.start_time > ${T0 + 500}`, ["C", "B"]],
      [`attributes.start_time >= ${T0} AND attributes.start_time < ${T0 + 1500}`, ["B", "A"]],
      [`attributes.end_time = ${T0 + 100_000}`, ["A"]],
      ["attributes.status = 'FINISHED'", ["A"]],
      ["status != 'FINISHED'", ["C", "B"]],
      ["attributes.run_name = 'b'", ["B"]],
      ["attr.run_name ILIKE 'C'", ["C"]],
      ["attributes.user_id = 'alice'", ["C", "B", "A"]],
      [`attributes.run_id = '${id.B}'`, ["B"]],
      [`run_id = '${id.C}' and tags.base_model = 'Qwen2.5-7B'`, ["C"]],
      ["  ", ["C", "B", "A"]],
    ];
    for (const [filter, expected] of cases) {
      const r = await search({ filter });
      expect.soft({ filter, status: r.status, runs: names(r) }).toEqual({ filter, status: 200, runs: expected });
    }
  });

  it("orders by metrics, params, tags and attributes, missing and NaN last, then start_time DESC", async () => {
    const cases: Array<[string[], string[]]> = [
      [["metrics.`train/reward_accuracy` DESC"], ["B", "A", "C"]],
      [["metrics.`train/reward_accuracy`"], ["A", "B", "C"]],
      [["metrics.`train/reward_accuracy` asc"], ["A", "B", "C"]],
      [["attributes.start_time ASC"], ["A", "B", "C"]],
      [["start_time DESC"], ["C", "B", "A"]],
      [["tags.base_model"], ["B", "C", "A"]],
      [["params.lr DESC", "attributes.run_name ASC"], ["B", "A", "C"]],
      [["metrics.`actor/grad_norm` DESC"], ["A", "C", "B"]],
      [["attributes.run_id"], [id.A, id.B, id.C].sort().map((x) => (Object.keys(id) as Array<keyof typeof id>).find((k) => id[k] === x)!)],
    ];
    for (const [order_by, expected] of cases) {
      const r = await search({ order_by });
      expect.soft({ order_by, status: r.status, runs: names(r) }).toEqual({ order_by, status: 200, runs: expected });
    }
  });

  it("hides deleted runs unless run_view_type asks for them", async () => {
    expect(names(await search({ run_view_type: "DELETED_ONLY" }))).toEqual(["D"]);
    const all = await search({ run_view_type: "ALL" });
    expect(names(all)).toEqual(["D", "C", "B", "A"]);
    expect(all.json.runs[0].info.lifecycle_stage).toBe("deleted");
    expect(names(await search({ run_view_type: "ACTIVE_ONLY" }))).toEqual(["C", "B", "A"]);
    expect(names(await search({ run_view_type: 2 }))).toEqual(["D"]);
    expect(names(await search({ run_view_type: "ALL", filter: "metrics.`train/reward_accuracy` < 0.01" }))).toEqual(["D", "A"]);
    const got = await call("runs/get", q({ run_id: id.D }));
    expect(got.json.run.info.lifecycle_stage).toBe("deleted");
  });

  it("pages with next_page_token: every run exactly once, in order", async () => {
    const pagingExp = (await call("experiments/create", { name: "paging" })).json.experiment_id;
    for (let i = 0; i < 23; i++) {
      // Two runs per start time: run_id breaks the tie, so the order is total.
      await call("runs/create", { experiment_id: pagingExp, run_name: `p${i}`, start_time: T0 + Math.floor(i / 2) });
    }
    const whole = await call("runs/search", { experiment_ids: [pagingExp] });
    expect(whole.json.runs).toHaveLength(23);
    const walked: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const r = await call("runs/search", { experiment_ids: [pagingExp], max_results: 5, ...(token ? { page_token: token } : {}) });
      expect(r.status).toBe(200);
      expect(r.json.runs.length).toBeLessThanOrEqual(5);
      walked.push(...ids(r));
      token = r.json.next_page_token;
      pages++;
    } while (token);
    expect(pages).toBe(5);
    expect(walked).toEqual(ids(whole));
    // Exactly a page's worth left: no token pointing at an empty page.
    const last = await call("runs/search", { experiment_ids: [pagingExp], max_results: 23 });
    expect(last.json.next_page_token).toBeUndefined();
    expect((await call("runs/search", { experiment_ids: [pagingExp], max_results: "22" })).json.next_page_token).toBeTypeOf("string");
  });

  it("searches every experiment without experiment_ids; '0' is the default experiment", async () => {
    const everything = await call("runs/search", { max_results: 1000 });
    expect(ids(everything)).toEqual(expect.arrayContaining([id.A, id.B, id.C, ...dashRuns]));
    expect(ids(everything)).not.toContain(id.D);
    const scratch = (await call("runs/create", { experiment_id: "0", run_name: "default-run" })).json.run.info.run_id;
    expect(ids(await call("runs/search", { experiment_ids: ["0"] }))).toEqual([scratch]);
    expect(ids(await call("runs/search", { experiment_ids: ["123", "00000000-0000-4000-8000-000000000000"] }))).toEqual([]);
  });

  it("shows dashboard-launched runs: config as params, run columns as tags, metrics as stored", async () => {
    const r = await call("runs/search", { experiment_ids: [dashExp], order_by: ["tags.seed"] });
    expect(r.status).toBe(200);
    expect(ids(r)).toEqual(dashRuns);
    const [first, second] = r.json.runs;
    expect(first.info).toMatchObject({ experiment_id: dashExp, status: "SCHEDULED", run_name: "", user_id: "", lifecycle_stage: "active" });
    expect(first.data.tags).toEqual([
      { key: "base_model", value: "arith-small" },
      { key: "dataset_size", value: "24" },
      { key: "experiment_name", value: "dash grid" },
      { key: "reward_method", value: "majority_vote" },
      { key: "seed", value: "3" },
      { key: "task", value: "arith" },
    ]);
    const params = Object.fromEntries(first.data.params.map((p: { key: string; value: string }) => [p.key, p.value]));
    expect(params).toMatchObject({ model: "arith-small", task: "arith", reward: "majority_vote", seed: "3", steps: "6", lr: "0.0002", trainOnValidation: "false", lrSchedule: "constant" });
    expect(params).not.toHaveProperty("datasetSize"); // unset in the config: no param
    expect(first.data.metrics).toEqual([{ key: "train/reward_accuracy", value: 0.005, timestamp: String(T0 + 2), step: "3" }]);
    expect(second.data.metrics).toEqual([]);
    expect((await call("runs/get", q({ run_id: dashRuns[1]! }))).json.run).toEqual(second);
    const filtered = await call("runs/search", {
      experiment_ids: [dashExp],
      filter: "params.model = 'arith-small' and params.steps = '6' and tags.seed = '4' and tags.base_model = 'arith-small'",
    });
    expect(ids(filtered)).toEqual([dashRuns[1]]);
    expect(ids(await call("runs/search", { experiment_ids: [dashExp], filter: "metrics.`train/reward_accuracy` < 0.01" }))).toEqual([dashRuns[0]]);
    expect(ids(await call("runs/search", { filter: "tags.experiment_name = 'dash grid'", order_by: ["params.seed DESC"] }))).toEqual([...dashRuns].reverse());
    const history = await call("metrics/get-history", q({ run_id: dashRuns[0]!, metric_key: "train/reward_accuracy" }));
    expect(history.json.metrics.map((m: { value: number }) => m.value)).toEqual([0.6, 0.4, 0.005]);
  });

  it("answers malformed searches with 400 INVALID_PARAMETER_VALUE and a clear message, changing nothing", async () => {
    const before = await snapshot();
    const wrongKindToken = Buffer.from(JSON.stringify({ after_step: 3 })).toString("base64url");
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ filter: "metrics.acc >" }, /^Invalid filter 'metrics\.acc >': expected a value after metrics\.acc >/],
      [{ filter: "metrics.acc LIKE '%1'" }, /metrics\.acc compares with =, !=, >, >=, <, <=, not LIKE/],
      [{ filter: "params.lr = 5" }, /params\.lr takes a quoted string/],
      [{ filter: "metrics.acc = 'high'" }, /metrics\.acc takes a number/],
      [{ filter: "foo.bar = 1" }, /unknown entity 'foo'/],
      [{ filter: "nonsense = 'x'" }, /unknown run attribute 'nonsense'/],
      [{ filter: "metrics.a > 1 OR metrics.b > 1" }, /OR is not supported/],
      [{ filter: "metrics.a > 1 metrics.b > 1" }, /expected AND after the clause on metrics\.a/],
      [{ filter: "metrics.a > 1 AND" }, /expected a clause after AND/],
      [{ filter: "tags.x = 'open" }, /unterminated string/],
      [{ filter: "metrics.`train/reward_accuracy < 1" }, /unterminated ` in the key/],
      [{ filter: "params.lr IN ('1')" }, /'IN' is not supported here/],
      [{ filter: "attributes.start_time > 'yesterday'" }, /attributes\.start_time takes a number/],
      [{ filter: "metrics. > 1" }, /expected a key after the '\.'/],
      [{ filter: 42 }, /'filter': must be a string/],
      [{ order_by: ["metrics.acc sideways"] }, /^Invalid order_by clause 'metrics\.acc sideways': expected ASC or DESC/],
      [{ order_by: ["nonsense"] }, /unknown run attribute 'nonsense'/],
      [{ order_by: "start_time" }, /'order_by': must be an array of strings/],
      [{ max_results: 50_001 }, /Invalid value for request parameter max_results\. It must be at least 1 and at most 50000, but got value 50001/],
      [{ max_results: 0 }, /at least 1/],
      [{ max_results: "ten" }, /'max_results': must be an integer/],
      [{ page_token: "not a token!" }, /Invalid page token 'not a token!': could not base64-decode/],
      [{ page_token: Buffer.from("{").toString("base64") }, /Invalid page token .*not a token this server issued/],
      [{ page_token: wrongKindToken }, /Invalid page token .*not a token of this search/],
      [{ run_view_type: "SOME" }, /'run_view_type': must be one of ACTIVE_ONLY, DELETED_ONLY, ALL/],
      [{ experiment_ids: exp }, /'experiment_ids': must be an array of strings/],
    ];
    for (const [body, message] of cases) {
      const r = await search(body);
      expect.soft({ body, status: r.status, code: r.json.error_code }).toEqual({ body, status: 400, code: "INVALID_PARAMETER_VALUE" });
      expect.soft(r.json.message, JSON.stringify(body)).toMatch(message);
    }
    const unauth = await mlflowCaller(null)("runs/search", { experiment_ids: [exp] });
    expect(unauth).toMatchObject({ status: 401, json: { error_code: "UNAUTHENTICATED" } });
    expect((await call("runs/search", q({ experiment_ids: exp }))).status).toBe(405);
    expect(await snapshot()).toBe(before);
  });
});

describe("metrics/get-history", () => {
  it("returns every point of a metric in step order, paged by next_page_token", async () => {
    const all = await call("metrics/get-history", q({ run_id: id.A, metric_key: "train/reward_accuracy" }));
    expect(all.status).toBe(200);
    expect(all.json.next_page_token).toBeUndefined();
    expect(all.json.metrics).toHaveLength(300);
    expect(all.json.metrics[0]).toEqual({ key: "train/reward_accuracy", value: 0.5, timestamp: String(T0 + 1), step: "1" });
    expect(all.json.metrics[299]).toEqual({ key: "train/reward_accuracy", value: 0.004, timestamp: String(T0 + 300), step: "300" });
    expect(all.json.metrics.map((m: { step: string }) => Number(m.step))).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));

    const walked: unknown[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const r = await call("metrics/get-history", q({ run_uuid: id.A, metric_key: "train/reward_accuracy", max_results: 100, ...(token ? { page_token: token } : {}) }));
      expect(r.status).toBe(200);
      walked.push(...r.json.metrics);
      token = r.json.next_page_token;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(walked).toEqual(all.json.metrics);
    const odd = await call("metrics/get-history", q({ run_id: id.A, metric_key: "train/reward_accuracy", max_results: 299 }));
    expect(odd.json.metrics).toHaveLength(299);
    const rest = await call("metrics/get-history", q({ run_id: id.A, metric_key: "train/reward_accuracy", page_token: odd.json.next_page_token }));
    expect(rest.json).toEqual({ metrics: [all.json.metrics[299]] });
  });

  it("writes non-finite values as MLflow does; an unknown key is an empty history", async () => {
    const grad = await call("metrics/get-history", q({ run_id: id.A, metric_key: "actor/grad_norm" }));
    expect(grad.json.metrics.at(-1)).toEqual({ key: "actor/grad_norm", value: "Infinity", timestamp: String(T0 + 300), step: "300" });
    const nan = await call("metrics/get-history", q({ run_id: id.C, metric_key: "train/reward_accuracy" }));
    expect(nan.json.metrics.at(-1).value).toBe("NaN");
    expect((await call("metrics/get-history", q({ run_id: id.A, metric_key: "nope" }))).json).toEqual({ metrics: [] });
    // A deleted run's history stays readable, as in MLflow.
    expect((await call("metrics/get-history", q({ run_id: id.D, metric_key: "train/reward_accuracy" }))).json.metrics).toHaveLength(10);
  });

  it("answers bad requests with MLflow's errors", async () => {
    const unknown = "00000000-0000-4000-8000-000000000000";
    const cases: Array<[string, number, string, RegExp]> = [
      [q({ run_id: unknown, metric_key: "k" }), 404, "RESOURCE_DOES_NOT_EXIST", /Run with id=00000000-0000-4000-8000-000000000000 not found/],
      [q({ run_id: "abc", metric_key: "k" }), 404, "RESOURCE_DOES_NOT_EXIST", /Run with id=abc not found/],
      [q({ run_id: id.A }), 400, "INVALID_PARAMETER_VALUE", /Missing value for required parameter 'metric_key'/],
      [q({ metric_key: "k" }), 400, "INVALID_PARAMETER_VALUE", /Missing value for required parameter 'run_id'/],
      [q({ run_id: id.A, metric_key: "k", max_results: 25_001 }), 400, "INVALID_PARAMETER_VALUE", /at most 25000, but got value 25001/],
      [q({ run_id: id.A, metric_key: "k", max_results: "1.5" }), 400, "INVALID_PARAMETER_VALUE", /must be an integer/],
      [q({ run_id: id.A, metric_key: "k", page_token: "%%%" }), 400, "INVALID_PARAMETER_VALUE", /Invalid page token/],
      [q({ run_id: id.A, metric_key: "k", page_token: Buffer.from('{"offset":5}').toString("base64url") }), 400, "INVALID_PARAMETER_VALUE", /not a token of a metric history/],
    ];
    for (const [query, status, code, message] of cases) {
      const r = await call("metrics/get-history", query);
      expect.soft({ query, status: r.status, code: r.json.error_code }).toEqual({ query, status, code });
      expect.soft(r.json.message, query).toMatch(message);
    }
  });
});

describe("experiments/search and experiments/list", () => {
  let gone: string;
  beforeAll(async () => {
    gone = (await call("experiments/create", { name: "old-sweep", tags: [{ key: "team", value: "infra" }] })).json.experiment_id;
    await db.pool.query(`UPDATE "Experiment" SET "deletedAt" = now(), "updatedAt" = to_timestamp(1700000123.456) WHERE "id" = $1`, [gone]);
  });
  const names = (r: { json: { experiments: Array<{ name: string }> } }) => r.json.experiments.map((e) => e.name);

  it("returns experiments in MLflow's shape, newest first by default", async () => {
    const r = await call("experiments/search", {});
    expect(r.status).toBe(200);
    expect(names(r)).toEqual(expect.arrayContaining(["ttrl-read", "dash grid", "paging", "Default"]));
    expect(names(r)).not.toContain("old-sweep");
    const created = r.json.experiments.map((e: { creation_time: string }) => Number(e.creation_time));
    expect(created).toEqual([...created].sort((x, y) => y - x));
    const e = r.json.experiments.find((x: { name: string }) => x.name === "ttrl-read");
    expect(e).toEqual({
      experiment_id: exp,
      name: "ttrl-read",
      artifact_location: "",
      lifecycle_stage: "active",
      creation_time: expect.stringMatching(/^\d+$/),
      last_update_time: expect.stringMatching(/^\d+$/),
      tags: [{ key: "team", value: "rl" }],
    });
    // The launch form's experiment is there too (its plain tags are not MLflow key=value tags).
    expect(r.json.experiments.find((x: { name: string }) => x.name === "dash grid")).toMatchObject({ experiment_id: dashExp, tags: [] });
  });

  it("filters on name and tags, orders, and honours view_type", async () => {
    const cases: Array<[Record<string, unknown>, string[]]> = [
      [{ filter: "name = 'ttrl-read'" }, ["ttrl-read"]],
      [{ filter: "attribute.name LIKE 'ttrl%'" }, ["ttrl-read"]],
      [{ filter: "name ILIKE 'TTRL%'" }, ["ttrl-read"]],
      // (Names of one case only where order matters: mixed case sorts by the database's collation.)
      [{ filter: "name != 'ttrl-read' AND name LIKE '%a%' AND name != 'Default'", order_by: ["name"] }, ["dash grid", "paging"]],
      [{ filter: "tags.team = 'rl'" }, ["ttrl-read"]],
      [{ filter: "tags.team != 'rl'", view_type: "ALL" }, ["old-sweep"]],
      [{ filter: "tags.team = 'infra'" }, []],
      [{ filter: "creation_time > 0 AND name = 'paging'" }, ["paging"]],
      [{ filter: "last_update_time = 1700000123456", view_type: "ALL" }, ["old-sweep"]],
      [{ view_type: "DELETED_ONLY" }, ["old-sweep"]],
      [{ order_by: ["name DESC"], filter: "name != 'Default'" }, ["ttrl-read", "paging", "dash grid"]],
      [{ order_by: ["attributes.name ASC"], view_type: "ALL", filter: "name != 'Default'" }, ["dash grid", "old-sweep", "paging", "ttrl-read"]],
    ];
    for (const [body, expected] of cases) {
      const r = await call("experiments/search", body);
      expect.soft({ body, status: r.status, names: names(r) }).toEqual({ body, status: 200, names: expected });
    }
    const deleted = await call("experiments/search", { view_type: "DELETED_ONLY" });
    expect(deleted.json.experiments[0]).toMatchObject({ experiment_id: gone, lifecycle_stage: "deleted", last_update_time: "1700000123456" });
    const byId = await call("experiments/search", { order_by: ["experiment_id"] });
    const idsInOrder = byId.json.experiments.map((x: { experiment_id: string }) => x.experiment_id);
    expect(idsInOrder).toEqual([...idsInOrder].sort());
  });

  it("pages experiments/search and experiments/list: every experiment exactly once", async () => {
    const whole = names(await call("experiments/search", { view_type: "ALL" }));
    const walked: string[] = [];
    let token: string | undefined;
    do {
      const r = await call("experiments/search", { view_type: "ALL", max_results: 2, ...(token ? { page_token: token } : {}) });
      walked.push(...names(r));
      token = r.json.next_page_token;
    } while (token);
    expect(walked).toEqual(whole);
    expect(walked).toHaveLength(5);

    const list = await call("experiments/list", "");
    expect(list.status).toBe(200);
    expect(list.json.next_page_token).toBeUndefined();
    // MLflow 1.x lists oldest first.
    expect(names(list)).toEqual(["ttrl-read", "dash grid", "paging", "Default"]);
    const listed: string[] = [];
    do {
      const r = await call("experiments/list", q({ view_type: "ALL", max_results: 3, ...(token ? { page_token: token } : {}) }));
      listed.push(...names(r));
      token = r.json.next_page_token;
    } while (token);
    expect(listed).toEqual(["ttrl-read", "dash grid", "paging", "Default", "old-sweep"]);
    expect(names(await call("experiments/list", q({ view_type: "DELETED_ONLY" })))).toEqual(["old-sweep"]);
    // Over MLflow's cap of 1000: capped, not refused.
    expect((await call("experiments/list", q({ max_results: 5000 }))).status).toBe(200);
  });

  it("answers malformed requests with 400 INVALID_PARAMETER_VALUE", async () => {
    const cases: Array<[string, Record<string, unknown> | string, RegExp]> = [
      ["experiments/search", { filter: "name = 5" }, /^Invalid filter 'name = 5': attributes\.name takes a quoted string/],
      ["experiments/search", { filter: "metrics.x > 1" }, /unknown entity 'metrics'/],
      ["experiments/search", { filter: "owner = 'me'" }, /unknown experiment attribute 'owner'/],
      ["experiments/search", { filter: "creation_time LIKE '1%'" }, /compares with =, !=, >, >=, <, <=, not LIKE/],
      ["experiments/search", { order_by: ["tags.team DESC extra"] }, /Invalid order_by clause .*one key per order_by entry/],
      ["experiments/search", { max_results: 50_001 }, /at most 50000, but got value 50001/],
      ["experiments/search", { view_type: "EVERYTHING" }, /'view_type': must be one of/],
      ["experiments/search", { page_token: "!!" }, /Invalid page token/],
      ["experiments/list", q({ max_results: 0 }), /It must be at least 1, but got value 0/],
      ["experiments/list", q({ view_type: "7" }), /'view_type': must be one of/],
    ];
    for (const [endpoint, body, message] of cases) {
      const r = await call(endpoint, body);
      expect.soft({ endpoint, body, status: r.status, code: r.json.error_code }).toEqual({ endpoint, body, status: 400, code: "INVALID_PARAMETER_VALUE" });
      expect.soft(r.json.message, JSON.stringify(body)).toMatch(message);
    }
  });
});
