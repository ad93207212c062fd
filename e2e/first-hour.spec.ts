import { parse } from "csv-parse/sync";
import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { countRows, e2ePool } from "../testing/e2e-database";
import { ZOO } from "../models/zoo";
import { protocolOf } from "../runner/engine/train/protocol";

// A new user's first hour, as the README's first section walks it: from the shipped database (base
// models, no runs) to three base models ranked. The leaderboard's "Probe trainability" opens the
// launch form prefilled; the user shortens the protocol, launches, and watches queue positions,
// expected starts and time left until the leaderboard ranks the models under that protocol. This
// file runs first (files run in name order), so the database has no runs yet.
test("from an empty database, three models probed from the leaderboard end up ranked, with the wait shown", async ({ page }) => {
  test.setTimeout(420_000);
  const pool = e2ePool();
  expect(await countRows(pool, "Run")).toBe(0);
  const models = ZOO.filter((r) => r.ranked).slice(0, 3).map((r) => r.name);

  await page.goto("/leaderboard");
  await expect(page.getByTestId("leaderboard-empty")).toContainText("tick the models to compare and press Probe trainability");
  for (const m of models) await page.getByRole("checkbox", { name: `Probe ${m}` }).check();
  await page.getByRole("button", { name: "Probe trainability" }).click();

  // The launch form, prefilled with the leaderboard's protocol, both methods and three seeds.
  await expect(page).toHaveURL(/\/runs\/new\?/);
  await expect(page.getByTestId("prefill-notes")).toContainText("Prefilled with the default training protocol.");
  for (const m of models) await expect(page.getByRole("checkbox", { name: new RegExp(`^${m} `) })).toBeChecked();
  await expect(page.getByRole("checkbox", { name: /^majority_vote/ })).toBeChecked();
  await expect(page.getByRole("checkbox", { name: /^ground_truth/ })).toBeChecked();
  await expect(page.getByLabel("Seeds (comma-separated)")).toHaveValue("1,2,3");
  await expect(page.getByLabel("Experiment name")).toHaveValue("Probe trainability (default protocol)");
  await expect(page.getByTestId("grid-preview")).toContainText("18 runs = 3 model(s) × 2 reward method(s) × fresh prompts × 3 seed(s)");
  // Nothing has run on this machine yet: the preview says it cannot tell rather than guess.
  await expect(page.getByTestId("launch-estimate")).toContainText("no run has taken a step yet");

  // A short protocol of its own, two seeds: minutes instead of hours.
  await page.getByLabel("Seeds (comma-separated)").fill("1, 2");
  const short = { groupSize: 4, promptsPerStep: 4, steps: 10, valEvery: 2, valSize: 16, fullValSize: 32 };
  for (const [label, value] of [
    ["Group size (rollouts per prompt)", short.groupSize],
    ["Prompts per step", short.promptsPerStep],
    ["Steps", short.steps],
    ["Validation interval", short.valEvery],
    ["Light validation prompts", short.valSize],
    ["Full evaluation prompts", short.fullValSize],
  ] as const) {
    await page.getByLabel(label, { exact: true }).fill(String(value));
  }
  await page.getByRole("button", { name: "Launch 12 runs" }).click();
  await expect(page).toHaveURL(/\/runs\?experiment=([0-9a-f-]{36})$/);
  const experiment = new URL(page.url()).searchParams.get("experiment")!;

  // The runs table: queue positions with expected starts, and time left once a run has a pace.
  const seen = { queued: false, startsIn: false, left: false };
  await expect
    .poll(
      async () => {
        for (const text of await page.getByTestId("run-wait").allInnerTexts()) {
          if (/^#\d+ in the queue/.test(text)) seen.queued = true;
          if (/starts in about \d/.test(text)) seen.startsIn = true;
          if (/^about \d.* left$/.test(text)) seen.left = true;
        }
        return seen;
      },
      { timeout: 240_000, intervals: [500] },
    )
    .toEqual({ queued: true, startsIn: true, left: true });

  // The leaderboard under the new protocol shows which figures are still on their way.
  const { key, label } = protocolOf(short);
  expect(label).toBe("steps 10, groupSize 4, promptsPerStep 4, valEvery 2, fullValSize 32");
  const pending = await pool.query(`SELECT count(*)::int AS n FROM "Run" WHERE "experimentId" = $1 AND "status" IN ('QUEUED', 'RUNNING')`, [experiment]);
  if (pending.rows[0].n > 0) {
    await page.goto(`/leaderboard?protocol=${encodeURIComponent(key)}`);
    await expect(page.getByTestId("protocol-note")).toContainText(`this one: ${label}.`);
    await expect(page.getByTestId("pending").first()).toHaveText(/^ \(\+\d pending\)$/);
  }

  await expect
    .poll(
      async () => (await pool.query(`SELECT count(*)::int AS n FROM "Run" WHERE "experimentId" = $1 AND "status" = 'SUCCEEDED'`, [experiment])).rows[0].n,
      { timeout: 300_000, intervals: [2000] },
    )
    .toBe(12);

  // With runs measured, the launch preview estimates the wall time and says from what.
  await page.goto(`/runs/new?${models.map((m) => `model=${m}`).join("&")}&protocol=${encodeURIComponent(key)}&seeds=1,2`);
  await expect(page.getByTestId("prefill-notes")).toContainText(`Prefilled with the training protocol ${label}.`);
  await expect(page.getByTestId("launch-estimate")).toContainText(/about \d.* until the last run finishes/);
  await expect(page.getByTestId("launch-estimate-basis")).toContainText(`${models[0]}: `);
  await expect(page.getByTestId("launch-estimate-basis")).toContainText("measured runs of this model at 16 rollouts per step");

  // The leaderboard ranks the three models under that protocol; the default protocol holds none of them.
  await page.goto("/leaderboard");
  await expect(page.getByTestId("protocol-select").locator("option").first()).toHaveText(/^default /);
  for (const m of models) await expect(page.locator(`tr[data-model="${m}"] [data-testid="mcs"]`)).toHaveText("–");
  await page.getByTestId("protocol-select").selectOption({ label: `${label} (6 majority-vote, 6 ground-truth runs)` });
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page.getByTestId("protocol-note")).toContainText(`this one: ${label}.`);
  await expect(page.getByTestId("leaderboard-empty")).toHaveCount(0);
  for (const m of models) {
    const row = page.locator(`tr[data-model="${m}"]`);
    await expect(row.getByTestId("mcs")).not.toHaveText("–");
    await expect(row.getByTestId("mcs-interval")).toHaveText(/^\[(> )?[\d.]+, (> )?[\d.]+\]$/);
    await expect(row.getByTestId("gt-gain")).toHaveText(/^[+-]\d+\.\d \[[+-]\d+\.\d, [+-]\d+\.\d\]$/);
    await expect(row.getByTestId("pending")).toHaveCount(0);
  }
  // Three models cannot show rho = 0.8 with 80% power: no verdict, and the numbers that say why.
  await expect(page.getByTestId("verdict-mcs")).toHaveText(/^Underpowered: power (\d\.\d\d to detect rho 0\.8|unknown).* n 3\. No verdict\.$/);
  await expect(page.locator('tr[data-predictor="mcs"] td').nth(1)).toHaveText("3");
  await page.locator("canvas").first().waitFor();
  await page.screenshot({ path: "docs/screenshots/leaderboard.png", fullPage: true });

  // The CSV follows the selection.
  const [dl] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download this protocol as CSV" }).click()]);
  const rows = parse(readFileSync(await dl.path(), "utf8"), { relaxColumnCount: true }) as string[][];
  const header = rows[0]!;
  const mine = rows.filter((r) => models.includes(r[header.indexOf("base_model")]!));
  expect(mine).toHaveLength(3);
  for (const r of mine) {
    expect(r[header.indexOf("protocol")]).toBe(label);
    expect(Number(r[header.indexOf("mcs_runs")])).toBe(2);
    expect(Number(r[header.indexOf("gt_runs")])).toBe(2);
  }
  const predictorHeader = rows.findIndex((r) => r[1] === "predictor");
  expect(rows[predictorHeader + 1]!.slice(0, 3)).toEqual([label, "MCS", "3"]);
  await pool.end();
});
