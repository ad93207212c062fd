import { expect, test } from "@playwright/test";
import { startEmbeddedPostgres } from "../scripts/lib/embedded-postgres";
import { E2E_PG_PORT } from "../scripts/lib/ports";

// The product's own Postgres (playwright.config.ts: URLVR_DATA_DIR, E2E_PG_PORT) stopped under a
// running dashboard: pages say the database is unreachable instead of showing empty tables, the APIs
// answer 503, and an open page comes back by itself once the database is started again.
const DATA_DIR = ".data/e2e-postgres";
const PG_PORT = Number(process.env.E2E_PG_PORT ?? E2E_PG_PORT);
const PORT = Number(process.env.E2E_PORT ?? 3100);

test("database down: pages name the cause and recover by themselves; APIs answer 503", async ({ page, request }) => {
  test.setTimeout(120_000);
  // Attaches to the server `npm start` runs on this data folder.
  const server = await startEmbeddedPostgres({ dataDir: DATA_DIR, port: PG_PORT });
  expect(server.reused).toBe(true);
  await page.goto("/runs");
  await expect(page.getByRole("heading", { level: 1, name: "Runs" })).toBeVisible();

  await server.stop();
  try {
    for (const path of ["/", "/runs", "/leaderboard"]) {
      await page.goto(path);
      const notice = page.getByTestId("database-down");
      await expect(notice, path).toBeVisible({ timeout: 15_000 });
      await expect(notice).toContainText("Database unreachable");
      await expect(notice).toContainText(/reach database server|ECONNREFUSED|terminat/i);
      await expect(page.getByText(/\b0 runs\b|No runs yet/)).toHaveCount(0);
    }
    await page.screenshot({ path: "docs/screenshots/database-down.png", fullPage: true });

    const list = await request.get(`/api/trpc/runs.list?input=${encodeURIComponent(JSON.stringify({ json: {} }))}`);
    expect(list.status()).toBe(503);
    expect(JSON.stringify(await list.json())).toContain("The database is unreachable");
    const cancel = await request.post("/api/trpc/runs.cancel", {
      data: { json: { ids: ["00000000-0000-4000-8000-000000000000"] } },
      headers: { origin: `http://localhost:${PORT}` },
    });
    expect(cancel.status()).toBe(503);
    const mlflow = await request.get("/api/2.0/mlflow/experiments/get?experiment_id=0", { headers: { authorization: "Bearer anything" } });
    expect(mlflow.status()).toBe(503);
    expect(await mlflow.json()).toMatchObject({ error_code: "TEMPORARILY_UNAVAILABLE" });
    expect((await request.get("/api/export/runs.csv")).status()).toBe(503);
  } finally {
    await startEmbeddedPostgres({ dataDir: DATA_DIR, port: PG_PORT });
  }
  // The page left open on /leaderboard retries on its own.
  await expect(page.getByRole("heading", { level: 1, name: "Leaderboard" })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId("database-down")).toHaveCount(0);
});
