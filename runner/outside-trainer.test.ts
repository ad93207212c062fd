// The outside-trainer recipe as a user runs it: examples/outside-trainer/train.py (Python, standard
// library only) launched by a real runner process for a run of an external base model, logging
// through the dashboard's MLflow route (behind a plain Node HTTP server, as `next start` serves it);
// then the run on the leaderboard, and read back through the read API.
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../server/auth/tokens";
import { createPrisma, type PrismaClient } from "../server/db/prisma";
import { getLeaderboard } from "../server/services/leaderboard";
import { DEFAULT_PROTOCOL_KEY } from "./engine/train/protocol";
import { serveMlflowApi, type MlflowServer } from "../testing/mlflow-server";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { insertBaseModel } from "../testing/fixtures";
import { FAST_FLAGS, printOutputsIfFailed, runStatus, startRunner, stopRunner, waitFor, type RunnerProcess } from "../testing/runner-processes";

const SCRIPT = path.resolve(import.meta.dirname, "../examples/outside-trainer/train.py");
const PYTHON = process.env.PYTHON ?? "python3";
const MODEL = "Qwen2.5-7B-outside";
const COLLAPSE = 60;

let db: TestDatabase;
let prisma: PrismaClient;
let server: MlflowServer;
let trackingUri: string;
const runners: RunnerProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrisma(db.url);
  server = await serveMlflowApi(db.pool);
  trackingUri = server.uri;
});
afterAll(async () => {
  await server?.close();
  await prisma?.$disconnect();
  await db?.close();
});
afterEach(async (ctx) => {
  printOutputsIfFailed(ctx, runners);
  await Promise.all(runners.splice(0).map(stopRunner));
});

async function api(token: string, endpoint: string, body: Record<string, unknown> | string) {
  const get = typeof body === "string";
  const res = await fetch(`${trackingUri}/api/2.0/mlflow/${endpoint}${get ? `?${body}` : ""}`, {
    method: get ? "GET" : "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: get ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as any };
}

describe("the outside-trainer recipe", () => {
  it("runs through a runner, collapses at the known step, ranks on the leaderboard and reads back", async () => {
    const baseModelId = await insertBaseModel(db.pool, MODEL, true);
    const { rows: ex } = await db.pool.query<{ id: string }>(`INSERT INTO "Experiment" ("name") VALUES ('outside-ttrl') RETURNING "id"`);
    const experimentId = ex[0]!.id;
    // Only the command in the config: an outside run records no engine settings, so it counts
    // under the default protocol. reward_method comes from the trainer's tags.
    const config = { command: [PYTHON, SCRIPT, "--base-model", MODEL, "--steps", "100", "--collapse-step", String(COLLAPSE), "--seed", "7"] };
    const { rows } = await db.pool.query<{ id: string }>(
      `INSERT INTO "Run" ("experimentId", "baseModelId", "rewardMethod", "task", "datasetSize", "seed", "config", "totalSteps")
       VALUES ($1, $2, 'external', 'external', 0, 7, $3::jsonb, 100) RETURNING "id"`,
      [experimentId, baseModelId, JSON.stringify(config)],
    );
    const runId = rows[0]!.id;

    runners.push(startRunner(db.url, ["--slots", "1", "--tracking-uri", trackingUri, ...FAST_FLAGS]));
    const settled = await waitFor("the run to settle", async () => {
      const s = await runStatus(db.pool, runId);
      return s.status !== "QUEUED" && s.status !== "RUNNING" ? s : null;
    }, 60_000, 200);
    expect(settled, JSON.stringify(settled)).toMatchObject({ status: "SUCCEEDED", currentStep: 100, error: null });

    const { rows: run } = await db.pool.query(
      `SELECT r."rewardMethod", r."mcsStep", r."mcsCensored", r."totalSteps", b."name" FROM "Run" r JOIN "BaseModel" b ON b."id" = r."baseModelId" WHERE r."id" = $1`,
      [runId],
    );
    expect(run[0]).toEqual({ rewardMethod: "majority_vote", mcsStep: COLLAPSE, mcsCensored: false, totalSteps: 100, name: MODEL });
    const { rows: stored } = await db.pool.query<{ key: string; n: number }>(
      `SELECT "key", count(*)::int AS n FROM "MetricPoint" WHERE "runId" = $1 GROUP BY "key" ORDER BY "key"`,
      [runId],
    );
    expect(stored).toEqual([
      { key: "actor/entropy", n: 100 },
      { key: "train/majority_ratio", n: 100 },
      { key: "train/reward_accuracy", n: 100 },
    ]);
    const { rows: events } = await db.pool.query<{ message: string }>(`SELECT "message" FROM "RunEvent" WHERE "runId" = $1 ORDER BY "id"`, [runId]);
    expect(events.map((e) => e.message)).toContain(`run ${runId}: done`);

    const board = await getLeaderboard(prisma);
    expect(board.protocol.key).toBe(DEFAULT_PROTOCOL_KEY);
    const row = board.rows.find((r) => r.model === MODEL);
    expect(row).toMatchObject({ rank: 1, mcs: { step: COLLAPSE, censored: false }, mcsLabel: String(COLLAPSE), mcsRuns: 1, mcsCensoredRuns: 0, runIds: [runId] });

    // Read back as MLflow's client would, with a token of our own (the run's token was revoked).
    const token = (await createToken(db.pool, "analysis")).secret;
    const found = await api(token, "runs/search", {
      experiment_ids: [experimentId],
      filter: `tags.base_model = '${MODEL}' and metrics.\`train/reward_accuracy\` < 0.01`,
    });
    expect(found.status).toBe(200);
    expect(found.json.runs.map((r: { info: { run_id: string } }) => r.info.run_id)).toEqual([runId]);
    const info = found.json.runs[0].info;
    expect(info).toMatchObject({ experiment_id: experimentId, status: "FINISHED", lifecycle_stage: "active" });
    expect(found.json.runs[0].data.params).toEqual(expect.arrayContaining([{ key: "reward_method", value: "majority_vote" }, { key: "base_model", value: MODEL }]));
    expect(found.json.runs[0].data.tags).toEqual(expect.arrayContaining([{ key: "reward_method", value: "majority_vote" }]));
    const none = await api(token, "runs/search", { experiment_ids: [experimentId], filter: "metrics.`train/reward_accuracy` > 0.5" });
    expect(none.json.runs).toEqual([]);

    const history: Array<{ key: string; value: number; timestamp: string; step: string }> = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const r = await api(token, "metrics/get-history", new URLSearchParams({ run_id: runId, metric_key: "train/reward_accuracy", max_results: "40", ...(pageToken ? { page_token: pageToken } : {}) }).toString());
      expect(r.status).toBe(200);
      history.push(...r.json.metrics);
      pageToken = r.json.next_page_token;
      pages++;
    } while (pageToken);
    expect(pages).toBe(3);
    expect(history.map((m) => Number(m.step))).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const firstBelow = history.find((m) => m.value < 0.01);
    expect(firstBelow?.step).toBe(String(COLLAPSE));
    const { rows: points } = await db.pool.query<{ step: number; value: number }>(
      `SELECT "step", "value" FROM "MetricPoint" WHERE "runId" = $1 AND "key" = 'train/reward_accuracy' ORDER BY "step"`,
      [runId],
    );
    expect(history.map((m) => m.value)).toEqual(points.map((p) => p.value));
  }, 90_000);
});
