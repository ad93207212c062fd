// Delete, restore and purge (MLflow's lifecycle) through every door: the dashboard's tRPC router, the
// MLflow API's routes with real Requests, and `npm run purge`, on a real Postgres.
import { spawnSync } from "node:child_process";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as runsCsv } from "../../app/api/export/runs.csv/route";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { createCaller } from "../api/root";
import { createToken } from "../auth/tokens";
import { writeMetricBatch } from "../ingest/metrics";
import { listComparableRuns } from "../services/compare";
import { addBaseModel, addRun } from "../../testing/fixtures";
import { mlflowCaller } from "../../testing/mlflow-client";
import { lockRunForPurge } from "../sql/lock-run-for-purge";
import { unlockRunForPurge } from "../sql/unlock-run-for-purge";
import { createPrisma, type PrismaClient } from "./prisma";
import { purgeDeleted } from "./purge";
import { viaPg } from "./sql";

let db: TestDatabase;
let prisma: PrismaClient;
let caller: ReturnType<typeof createCaller>;
let token: string;
let model: string;
const UNKNOWN = "00000000-0000-4000-8000-000000000000";

beforeAll(async () => {
  db = await createTestDatabase();
  process.env.DATABASE_URL = db.url;
  prisma = createPrisma(db.url);
  caller = createCaller({ prisma, headers: new Headers() });
  token = (await createToken(db.pool, "trainer")).secret;
  model = await addBaseModel(db.pool, "arith-small");
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.close();
});

const mlflow = (endpoint: string, body?: unknown) => mlflowCaller(token)(endpoint, body);

const points = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ key: "train/reward_accuracy", step: from + i, value: 0.5, wallTime: 1_700_000_000_000 + i }));

async function row(id: string) {
  const { rows } = await db.pool.query(`SELECT "status", "cancelRequested", "deletedAt" FROM "Run" WHERE "id" = $1`, [id]);
  return rows[0] as { status: string; cancelRequested: boolean; deletedAt: Date | null } | undefined;
}

async function setRunning(id: string) {
  await db.pool.query(`INSERT INTO "Runner" ("id", "host", "pid", "devices", "slots") VALUES ('r1', 'h', 1, '{cpu}', 1) ON CONFLICT DO NOTHING`);
  await db.pool.query(`UPDATE "Run" SET "status" = 'RUNNING', "runnerId" = 'r1', "startedAt" = now() WHERE "id" = $1`, [id]);
}

describe("delete and restore in the dashboard", () => {
  it("stops queued and running runs first, hides deleted runs everywhere, and restores them", async () => {
    const queued = await addRun(db.pool, { baseModelId: model, rewardMethod: "majority_vote", status: "QUEUED" });
    const running = await addRun(db.pool, { baseModelId: model, rewardMethod: "majority_vote", status: "QUEUED" });
    await setRunning(running);
    const done = await addRun(db.pool, { baseModelId: model, rewardMethod: "majority_vote", mcsStep: 40, mcsCensored: false });
    const kept = await addRun(db.pool, { baseModelId: model, rewardMethod: "majority_vote", mcsStep: 50, mcsCensored: false });
    await writeMetricBatch(db.pool, done, points(3));

    expect(await caller.runs.delete({ ids: [queued, running, done] })).toEqual({ deleted: 3, stopping: 1 });
    expect(await row(queued)).toMatchObject({ status: "CANCELED", cancelRequested: true, deletedAt: expect.any(Date) });
    expect(await row(running)).toMatchObject({ status: "RUNNING", cancelRequested: true, deletedAt: expect.any(Date) });
    expect(await row(done)).toMatchObject({ status: "SUCCEEDED", deletedAt: expect.any(Date) });

    const active = await caller.runs.list({});
    expect(active.runs.map((r) => r.id)).toEqual([kept]);
    const deleted = await caller.runs.list({ view: "deleted" });
    expect(deleted.runs.map((r) => r.id).sort()).toEqual([queued, running, done].sort());
    const csv = await (await runsCsv(new Request("http://lab.test/api/export/runs.csv"))).text();
    expect(csv).toContain(kept);
    expect(csv).not.toContain(done);
    expect(await (await runsCsv(new Request("http://lab.test/api/export/runs.csv?view=deleted"))).text()).toContain(done);
    expect((await listComparableRuns(prisma)).map((r) => r.id)).not.toContain(done);
    expect((await caller.health.status()).counts?.runs).toBe(1);
    const board = await caller.leaderboard.get({});
    expect(board.rows.find((r) => r.model === "arith-small")).toMatchObject({ mcsRuns: 1, mcs: { step: 50 } });
    expect((await caller.runs.get({ id: done })).deletedAt).toBeInstanceOf(Date);

    // Unknown ids: 404, and the known ones of the selection are left as they were.
    const err = (await caller.runs.restore({ ids: [done, UNKNOWN] }).catch((e: unknown) => e)) as TRPCError;
    expect(err).toMatchObject({ code: "NOT_FOUND" });
    expect((await row(done))!.deletedAt).not.toBeNull();
    expect(((await caller.runs.delete({ ids: [kept, UNKNOWN] }).catch((e: unknown) => e)) as TRPCError).code).toBe("NOT_FOUND");
    expect((await row(kept))!.deletedAt).toBeNull();

    expect(await caller.runs.restore({ ids: [done, kept] })).toEqual({ restored: 1 });
    expect((await row(done))!.deletedAt).toBeNull();
    expect((await caller.runs.list({})).total).toBe(2);
    expect((await caller.leaderboard.get({})).rows.find((r) => r.model === "arith-small")?.mcsRuns).toBe(2);
  });
});

describe("the MLflow API's lifecycle", () => {
  it("deletes and restores runs, refuses writes to a deleted run, and deletes tags", async () => {
    const exp = (await mlflow("experiments/create", { name: "lifecycle" })).json.experiment_id as string;
    const run = (await mlflow("runs/create", { experiment_id: exp, tags: [{ key: "note", value: "x" }] })).json.run.info.run_id as string;

    expect(await mlflow("runs/delete-tag", { run_id: run, key: "note" })).toEqual({ status: 200, json: {} });
    expect(await mlflow("runs/delete-tag", { run_id: run, key: "note" })).toMatchObject({ status: 404, json: { error_code: "RESOURCE_DOES_NOT_EXIST" } });

    expect((await mlflow("runs/delete", { run_id: run })).status).toBe(200);
    expect((await mlflow("runs/get", `run_id=${run}`)).json.run.info.lifecycle_stage).toBe("deleted");
    const write = await mlflow("runs/log-metric", { run_id: run, key: "m", value: 1, timestamp: 1, step: 0 });
    expect(write).toMatchObject({ status: 400, json: { message: `The run ${run} must be in the 'active' state. Current state is deleted.` } });
    expect((await mlflow("runs/restore", { run_id: run })).status).toBe(200);
    expect((await mlflow("runs/get", `run_id=${run}`)).json.run.info.lifecycle_stage).toBe("active");
    expect((await mlflow("runs/log-metric", { run_id: run, key: "m", value: 1, timestamp: 1, step: 0 })).status).toBe(200);
    expect(await mlflow("runs/delete", { run_id: UNKNOWN })).toMatchObject({ status: 404, json: { error_code: "RESOURCE_DOES_NOT_EXIST" } });
  });

  it("deletes an experiment with its runs, restores exactly those, and renames", async () => {
    const exp = (await mlflow("experiments/create", { name: "to-delete" })).json.experiment_id as string;
    const [a, b] = [
      (await mlflow("runs/create", { experiment_id: exp })).json.run.info.run_id as string,
      (await mlflow("runs/create", { experiment_id: exp })).json.run.info.run_id as string,
    ];
    await mlflow("runs/delete", { run_id: b }); // on its own, before the experiment
    expect((await mlflow("experiments/delete", { experiment_id: exp })).status).toBe(200);
    const got = await mlflow("experiments/get", `experiment_id=${exp}`);
    expect(got.json.experiment).toMatchObject({ lifecycle_stage: "deleted" });
    expect(Number(got.json.experiment.last_update_time)).toBeGreaterThanOrEqual(Number(got.json.experiment.creation_time));
    expect((await row(a))!.deletedAt).not.toBeNull();
    expect(await mlflow("runs/create", { experiment_id: exp })).toMatchObject({ status: 400, json: { message: `Could not create run under non-active experiment with ID ${exp}.` } });
    expect(await mlflow("experiments/create", { name: "to-delete" })).toMatchObject({ status: 400, json: { error_code: "RESOURCE_ALREADY_EXISTS", message: expect.stringContaining("deleted state") } });

    expect((await mlflow("experiments/restore", { experiment_id: exp })).status).toBe(200);
    expect((await mlflow("experiments/get", `experiment_id=${exp}`)).json.experiment.lifecycle_stage).toBe("active");
    expect((await row(a))!.deletedAt).toBeNull();
    expect((await row(b))!.deletedAt).not.toBeNull();

    expect((await mlflow("experiments/update", { experiment_id: exp, new_name: "renamed" })).status).toBe(200);
    expect((await mlflow("experiments/get-by-name", "experiment_name=renamed")).json.experiment.experiment_id).toBe(exp);
    expect(await mlflow("experiments/update", { experiment_id: exp, new_name: "lifecycle" })).toMatchObject({ status: 400, json: { error_code: "RESOURCE_ALREADY_EXISTS" } });
    expect(await mlflow("experiments/update", { experiment_id: exp })).toMatchObject({ status: 400, json: { message: "Missing value for required parameter 'new_name'" } });
  });
});

describe("purge", () => {
  it("removes deleted runs in batches, leaves active ones and writers alone, and never half-purges a restored run", async () => {
    await db.reset();
    model = await addBaseModel(db.pool, "arith-small");
    const exp = (await db.pool.query<{ id: string }>(`INSERT INTO "Experiment" ("name") VALUES ('old') RETURNING "id"`)).rows[0]!.id;
    const big = await addRun(db.pool, { baseModelId: model, rewardMethod: "majority_vote" });
    const small = await addRun(db.pool, { baseModelId: model, rewardMethod: "majority_vote" });
    const active = await addRun(db.pool, { baseModelId: model, rewardMethod: "majority_vote" });
    const stopping = await addRun(db.pool, { baseModelId: model, rewardMethod: "majority_vote", status: "QUEUED" });
    const locked = await addRun(db.pool, { baseModelId: model, rewardMethod: "majority_vote" });
    await db.pool.query(`UPDATE "Run" SET "experimentId" = $1 WHERE "id" = ANY($2::uuid[])`, [exp, [big, small]]);
    await writeMetricBatch(db.pool, big, points(2_500));
    await writeMetricBatch(db.pool, small, points(10));
    await writeMetricBatch(db.pool, active, points(10));
    await writeMetricBatch(db.pool, locked, points(5));
    await setRunning(stopping);
    await caller.runs.delete({ ids: [big, small, stopping, locked] });
    await db.pool.query(`UPDATE "Experiment" SET "deletedAt" = now() WHERE "id" = $1`, [exp]);

    // A purge in progress holds the run's lock: a restore then leaves the run deleted.
    const holder = await db.pool.connect();
    await lockRunForPurge(viaPg(holder), locked);
    expect(await caller.runs.restore({ ids: [locked] })).toEqual({ restored: 0 });
    await unlockRunForPurge(viaPg(holder), locked);
    holder.release();

    const dry = await purgeDeleted(db.pool, { olderThanMs: 0, batchPoints: 1_000, dryRun: true });
    expect(dry).toEqual({ runs: 3, points: 2_515, experiments: 0, skipped: 1 });
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM "MetricPoint"`)).rows[0].n).toBe(2_525);
    expect(await purgeDeleted(db.pool, { olderThanMs: 86_400_000, batchPoints: 1_000, dryRun: false })).toMatchObject({ runs: 0, points: 0 });

    const progress: number[] = [];
    const [result] = await Promise.all([
      purgeDeleted(db.pool, { olderThanMs: 0, batchPoints: 1_000, dryRun: false, onProgress: (p) => progress.push(p.pointsDone) }),
      writeMetricBatch(db.pool, active, points(100, 10)), // a writer to another run meanwhile
    ]);
    expect(result).toEqual({ runs: 3, points: 2_515, experiments: 1, skipped: 1 });
    // In batches: no step removed more than a batch, and the big run took three.
    const steps = progress.map((p, i) => p - (i === 0 ? 0 : progress[i - 1]!));
    expect(Math.max(...steps)).toBeLessThanOrEqual(1_000);
    expect(steps.filter((d) => d === 1_000)).toHaveLength(2);
    const left = await db.pool.query<{ runId: string; n: number }>(`SELECT "runId", count(*)::int AS n FROM "MetricPoint" GROUP BY "runId"`);
    expect(left.rows).toEqual([{ runId: active, n: 110 }]);
    const runs = await db.pool.query<{ id: string }>(`SELECT "id" FROM "Run" ORDER BY "id"`);
    expect(runs.rows.map((r) => r.id).sort()).toEqual([active, stopping].sort());
    for (const table of ["MetricSummary", "RunEvent", "RunCheckpoint", "RunAttribute"]) {
      const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM "${table}" WHERE "runId" = ANY($1::uuid[])`, [[big, small, locked]]);
      expect(rows[0].n, table).toBe(0);
    }
    expect((await db.pool.query(`SELECT 1 FROM "Experiment" WHERE "id" = $1`, [exp])).rowCount).toBe(0);
  });

  it("`npm run purge` refuses bad flags in one line and reports what it would remove", () => {
    const run = (args: string[]) =>
      spawnSync(process.execPath, ["--import", "tsx", "scripts/purge.ts", ...args], { encoding: "utf8", env: { ...process.env, DATABASE_URL: db.url } });
    const bad = run(["--older-than-days", "soon"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr.split("\n")[0]).toBe('--older-than-days expects a number, got "soon"');
    expect(run(["--bogus"]).stderr.split("\n")[0]).toMatch(/Unknown option '--bogus'/);
    const dry = run(["--dry-run"]);
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/\[purge\] would remove 0 run\(s\), 0 metric point\(s\), 0 experiment\(s\)/);
    expect(dry.stdout).toMatch(/left 1 deleted run\(s\) still stopping/);
  });
});
