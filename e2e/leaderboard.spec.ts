import { parse } from "csv-parse/sync";
import { expect, test, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import type pg from "pg";
import { writeMetricBatch, type MetricPointInput } from "../server/ingest/metrics";
import { e2ePool } from "../testing/e2e-database";
import { ZOO } from "../models/zoo";

// Inserts base models and finished runs with metric points straight into the e2e product's
// database (through the same writer the runner uses, so MCS and summaries are current), then checks
// that the leaderboard ranks the models by MCS and that every CSV download equals the database.
const tag = `e2e${Date.now().toString(36)}`;
const name = (m: string) => `${tag}-${m}`;

let pool: pg.Pool;
const runIds: Record<string, string[]> = {};

/** Reads a download back with an independent RFC 4180 parser (csv-parse), keeping every cell a string. */
const parseCsv = (text: string): string[][] => parse(text, { relaxColumnCount: true }) as string[][];

async function download(page: Page, linkName: string | RegExp): Promise<{ filename: string; rows: string[][] }> {
  const [dl] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: linkName }).click()]);
  const path = await dl.path();
  return { filename: dl.suggestedFilename(), rows: parseCsv(readFileSync(path, "utf8")) };
}

async function addModel(m: string, greedy: number, passAtK: number): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO "BaseModel" ("name", "family", "paramCount", "architecture", "staticEval", "provenance", "checksum")
     VALUES ($1, 'e2e', 111104, '{"vocabSize":54,"context":64,"width":64,"depth":2,"heads":4}', $2, $3, $4) RETURNING "id"`,
    [
      name(m),
      JSON.stringify({ greedyAccuracy: greedy, passAtK, majAtK: greedy, k: 8, prompts: 256 }),
      JSON.stringify({ command: `npm run pretrain -- --out models/${name(m)}`, seed: 1, createdAt: "2026-11-26T00:00:00.000Z" }),
      "ab".repeat(32),
    ],
  );
  return rows[0]!.id;
}

async function addRun(modelId: string, method: string, seed: number, points: MetricPointInput[]): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO "Run" ("baseModelId", "rewardMethod", "task", "datasetSize", "seed", "config", "status", "totalSteps", "currentStep", "finishedAt")
     VALUES ($1, $2, 'arith', 256, $3, '{"collapseThreshold":0.01}', 'SUCCEEDED', 400, 400, now()) RETURNING "id"`,
    [modelId, method, seed],
  );
  await writeMetricBatch(pool, rows[0]!.id, points);
  return rows[0]!.id;
}

/** Reward accuracy that rises, then falls below 1% at `collapseAt` (never, when null). */
function curve(collapseAt: number | null, steps = 400): MetricPointInput[] {
  const wall = Date.UTC(2026, 10, 26, 9);
  return Array.from({ length: steps }, (_, i) => {
    const step = i + 1;
    const value = collapseAt === null ? 0.6 + 0.1 * Math.sin(step / 20) : step < collapseAt ? Math.max(0.02, 0.6 * (1 - step / collapseAt)) : 0.005;
    return [
      { key: "train/reward_accuracy", step, value, wallTime: wall + step * 1000 },
      { key: "actor/entropy", step, value: step === 7 ? Number.NaN : 2 - step / 400, wallTime: wall + step * 1000 },
    ];
  }).flat();
}

/** Validations at 0, 100, ..., 400: the start, then halfway, the best at 200, halfway twice. */
function valCurve(start: number, best: number): MetricPointInput[] {
  const wall = Date.UTC(2026, 10, 26, 9);
  return [0, 100, 200, 300, 400].flatMap((step, i) => [
    { key: "val/accuracy", step, value: i === 0 ? start : i === 2 ? best : start + (best - start) / 2, wallTime: wall + step * 1000 },
    { key: "val/accuracy_se", step, value: 0.015, wallTime: wall + step * 1000 },
  ]);
}

test.beforeAll(async () => {
  pool = e2ePool();
  // alpha collapses late, gamma early, beta never (censored: ranks first).
  const spec = [
    { m: "alpha", greedy: 0.3, pass: 0.8, mcs: [220, 260, 240], gt: [0.3, 0.5] },
    { m: "beta", greedy: 0.5, pass: 0.9, mcs: [null, null], gt: [0.5, 0.8] },
    { m: "gamma", greedy: 0.2, pass: 0.4, mcs: [30, 50], gt: [0.2, 0.25] },
  ] as const;
  for (const s of spec) {
    const id = await addModel(s.m, s.greedy, s.pass);
    runIds[s.m] = [];
    for (const [seed, c] of s.mcs.entries()) runIds[s.m]!.push(await addRun(id, "majority_vote", seed, curve(c)));
    runIds[s.m]!.push(await addRun(id, "ground_truth", 0, valCurve(s.gt[0], s.gt[1])));
  }
});

test.afterAll(async () => {
  await pool?.end();
});

test("the leaderboard ranks base models by MCS and its CSV matches", async ({ page }) => {
  await page.goto("/leaderboard");
  await expect(page.getByRole("heading", { level: 1, name: "Leaderboard" })).toBeVisible();
  const mine = page.locator(`tr[data-model^="${tag}-"]`);
  await expect(mine).toHaveCount(3);
  const order = await mine.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-model")));
  expect(order).toEqual([name("beta"), name("alpha"), name("gamma")]);
  await expect(page.locator(`tr[data-model="${name("beta")}"] [data-testid="mcs"]`)).toHaveText("> 400");
  await expect(page.locator(`tr[data-model="${name("alpha")}"] [data-testid="mcs"]`)).toHaveText("240");
  await expect(page.locator(`tr[data-model="${name("gamma")}"] [data-testid="mcs"]`)).toHaveText("40");
  await expect(page.locator(`tr[data-model="${name("alpha")}"] [data-testid="mcs-interval"]`)).toHaveText("[220, 260]");
  await expect(page.locator(`tr[data-model="${name("beta")}"] [data-testid="mcs-interval"]`)).toHaveText("[> 400, > 400]");
  // One ground-truth seed each: the gain's interval is the prompts' noise alone, around the gain.
  await expect(page.locator(`tr[data-model="${name("beta")}"] [data-testid="gt-gain"]`)).toContainText("+20.0 [");
  await expect(page.getByTestId("verdict-mcs")).toContainText(/Underpowered|too few|needs at least 3/);
  await page.locator("canvas").first().waitFor();

  const { filename, rows } = await download(page, "Download this protocol as CSV");
  expect(filename).toBe("urlvr-leaderboard.csv");
  const header = rows[0]!;
  const col = (r: string[], c: string) => r[header.indexOf(c)];
  const byModel = new Map(rows.slice(1).map((r) => [col(r, "base_model"), r]));
  const beta = byModel.get(name("beta"))!;
  expect(col(beta, "mcs_label")).toBe("> 400");
  expect(col(beta, "mcs_censored")).toBe("true");
  // GT gain is the mean of the last three validations minus the first, never the best: (0.8 + 0.65 + 0.65) / 3 - 0.5.
  expect(Number(col(beta, "gt_gain"))).toBeCloseTo(0.2, 9);
  expect(Number(col(beta, "gt_gain_ci_low"))).toBeLessThan(0.2);
  expect(Number(col(beta, "gt_gain_ci_high"))).toBeGreaterThan(0.2);
  expect(col(beta, "protocol")).toBe("default");
  expect(Number(col(byModel.get(name("alpha"))!, "mcs_median"))).toBe(240);
  expect(Number(col(byModel.get(name("gamma"))!, "mcs_median"))).toBe(40);
  // ranks agree with the order: beta above alpha above gamma
  const rank = (m: string) => Number(col(byModel.get(name(m))!, "rank"));
  expect(rank("beta")).toBeLessThan(rank("alpha"));
  expect(rank("alpha")).toBeLessThan(rank("gamma"));
  // the figures agree with Run.mcsStep in the database
  const { rows: db } = await pool.query(`SELECT "mcsStep", "mcsCensored" FROM "Run" WHERE "id" = ANY($1::uuid[]) ORDER BY "mcsStep"`, [runIds.gamma!.slice(0, 2)]);
  expect(db).toEqual([{ mcsStep: 30, mcsCensored: false }, { mcsStep: 50, mcsCensored: false }]);
});

test("compare overlays runs grouped by model, and the metric CSV equals the database", async ({ page }) => {
  const ids = [...runIds.alpha!.slice(0, 2), ...runIds.gamma!.slice(0, 2)];
  await page.goto(`/compare?runs=${ids.join(",")}&group=model`);
  await expect(page.getByRole("heading", { level: 1, name: "Compare runs" })).toBeVisible();
  await page.getByTestId("compare-chart").locator("canvas").waitFor();
  await page.waitForTimeout(300);
  await page.screenshot({ path: "docs/screenshots/compare.png", fullPage: true });

  const { filename, rows } = await download(page, /full metric history/);
  expect(filename).toBe("urlvr-metrics-4-runs.csv");
  expect(rows[0]).toEqual(["run_id", "base_model", "reward_method", "seed", "key", "step", "value", "wall_time"]);
  const { rows: db } = await pool.query(
    `SELECT p."runId", b."name", r."rewardMethod", r."seed", p."key", p."step", p."value"::text AS value, p."wallTime"
       FROM "MetricPoint" p JOIN "Run" r ON r."id" = p."runId" JOIN "BaseModel" b ON b."id" = r."baseModelId"
      WHERE p."runId" = ANY($1::uuid[]) ORDER BY array_position($1::uuid[], p."runId"), p."key", p."step"`,
    [ids],
  );
  expect(rows.length - 1).toBe(db.length);
  expect(db.length).toBe(4 * 800);
  db.forEach((d, i) => {
    const r = rows[i + 1]!;
    expect(r.slice(0, 6)).toEqual([d.runId, d.name, d.rewardMethod, String(d.seed), d.key, String(d.step)]);
    if (d.value === "NaN") expect(r[6]).toBe("NaN");
    else expect(Number(r[6])).toBe(Number(d.value));
    expect(r[7]).toBe((d.wallTime as Date).toISOString());
  });
});

test("the runs CSV follows the /runs filters and equals the database", async ({ page }) => {
  const res = await page.request.get(`/api/export/runs.csv?model=${name("alpha")},${name("gamma")}&reward=majority_vote&status=SUCCEEDED`);
  expect(res.status()).toBe(200);
  expect(res.headers()["content-disposition"]).toMatch(/^attachment; filename="urlvr-runs-.*\.csv"$/);
  const rows = parseCsv(await res.text());
  const header = rows[0]!;
  const { rows: db } = await pool.query(
    `SELECT r."id", r."seed", r."mcsStep", b."name" FROM "Run" r JOIN "BaseModel" b ON b."id" = r."baseModelId"
      WHERE b."name" = ANY($1) AND r."rewardMethod" = 'majority_vote' ORDER BY r."createdAt" DESC, r."id" DESC`,
    [[name("alpha"), name("gamma")]],
  );
  expect(rows.slice(1).map((r) => r[header.indexOf("run_id")])).toEqual(db.map((d) => d.id));
  expect(rows.slice(1).map((r) => Number(r[header.indexOf("mcs_step")]))).toEqual(db.map((d) => d.mcsStep));
  expect((await page.request.get("/api/export/runs.csv?status=DONE")).status()).toBe(400);
});

test("the models page shows manifests and static evaluations as tables", async ({ page }) => {
  await page.goto("/models");
  await expect(page.getByRole("heading", { level: 1, name: "Base models" })).toBeVisible();
  const card = page.getByTestId(`model-${name("alpha")}`);
  await expect(card.getByTestId("provenance-command")).toHaveText(`npm run pretrain -- --out models/${name("alpha")}`);
  await expect(card.getByTestId("static-eval")).toContainText("80.0%");
  await expect(page.locator("body")).not.toContainText('{"');
  // The start command seeded the whole shipped zoo, each with its richer static evaluation.
  for (const recipe of ZOO) await expect(page.getByTestId(`model-${recipe.name}`)).toHaveCount(1);
  await expect(page.getByTestId("model-arith-small").getByTestId("static-eval")).toContainText("self-certainty AUROC");
  await expect(page.getByTestId("model-arith-small").getByTestId("static-eval")).toContainText("pass@64");
  await page.getByTestId("model-arith-small").scrollIntoViewIfNeeded();
  await page.screenshot({ path: "docs/screenshots/models.png", fullPage: true });
});

test("settings creates an API token, shows its secret once, and revokes it", async ({ page }) => {
  await page.goto("/settings");
  await expect(page.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();
  const tokenName = `${tag}-runner`;
  await page.getByLabel("Token name").fill(tokenName);
  await page.getByRole("button", { name: "Create token" }).click();
  const secret = (await page.getByTestId("new-token").locator(".secret").textContent())!.trim();
  expect(secret).toMatch(/^urlvr_/);
  const { rows } = await pool.query(`SELECT "tokenHash", "revokedAt" FROM "ApiToken" WHERE "name" = $1`, [tokenName]);
  expect(rows).toHaveLength(1);
  expect(rows[0].tokenHash).not.toContain(secret); // only a hash is stored
  const row = page.locator("tr", { hasText: tokenName });
  await expect(row).toContainText("active");
  page.once("dialog", (d) => void d.accept());
  await row.getByRole("button", { name: "Revoke" }).click();
  await expect(row).toContainText("revoked");
  const { rows: after } = await pool.query(`SELECT "revokedAt" FROM "ApiToken" WHERE "name" = $1`, [tokenName]);
  expect(after[0].revokedAt).not.toBeNull();
  await page.reload();
  await expect(page.getByTestId("new-token")).toHaveCount(0); // the secret is gone for good
  await page.screenshot({ path: "docs/screenshots/settings.png", fullPage: true });
});
