import { expect, test, type Locator, type Page } from "@playwright/test";
import { countRows, e2ePool } from "../testing/e2e-database";

// The runs pages against the real product (dashboard + one runner + embedded Postgres): the launch
// form's validation, a 2x2 grid launched from the keyboard alone, the runs table, cancel, and a run's
// charts growing live while the runner trains it. Tests run in order and share the database.
test.describe.configure({ mode: "serial" });

/** Presses Tab until `target` has focus: the keyboard is the only way used to get there. */
async function tabTo(page: Page, target: Locator, max = 80) {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`Tab never reached ${target}`);
}

/** Replaces a focused text field's value by typing. */
async function retype(page: Page, text: string) {
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type(text);
}

let experimentUrl = "";
/** Steps of every run in the grid: long enough (a few seconds) that the run page's poll sees a chart grow mid-run. */
const GRID_STEPS = 30;

test("the launch form shows a message next to each bad field and creates nothing", async ({ page }) => {
  const pool = e2ePool();
  const before = { runs: await countRows(pool, "Run"), experiments: await countRows(pool, "Experiment") };
  await page.goto("/runs/new");
  await expect(page.getByRole("heading", { level: 1, name: "Launch runs" })).toBeVisible();
  await page.getByLabel("Dataset sizes").fill("8, lots");
  await page.getByLabel("Group size (rollouts per prompt)").fill("1");
  await page.getByLabel("Temperature", { exact: true }).fill("0");
  await page.getByRole("button", { name: /^Launch \d+ run/ }).click();
  await expect(page.locator("#field-name-error")).toHaveText("Give the experiment a name");
  await expect(page.locator("#field-datasetSizes-error")).toContainText(">=32");
  await expect(page.locator("#field-groupSize-error")).toContainText(">=2");
  await expect(page.locator("#field-temperature-error")).toBeVisible();
  await expect(page.getByRole("alert").filter({ hasText: "Nothing was launched" })).toBeVisible();
  await expect(page.getByLabel("Dataset sizes")).toHaveAttribute("aria-invalid", "true");
  expect({ runs: await countRows(pool, "Run"), experiments: await countRows(pool, "Experiment") }).toEqual(before);
  await pool.end();
});

test("a 2x2 grid is launched from the keyboard alone", async ({ page }) => {
  await page.goto("/runs/new");
  const name = page.getByLabel("Experiment name");
  await tabTo(page, name);
  await expect(name).toHaveCSS("outline-style", "solid"); // visible focus
  await page.keyboard.type("e2e 2x2 grid");
  await tabTo(page, page.getByLabel("Tags (comma-separated)"));
  await page.keyboard.type("e2e, smoke");
  const model = page.getByRole("checkbox", { name: /arith-small/ });
  await tabTo(page, model);
  if (!(await model.isChecked())) await page.keyboard.press("Space");
  await tabTo(page, page.getByRole("checkbox", { name: /^ground_truth/ }));
  await page.keyboard.press("Space");
  await tabTo(page, page.getByLabel("Dataset sizes"));
  await retype(page, "64");
  await tabTo(page, page.getByLabel("Seeds (comma-separated)"));
  await retype(page, "1, 2");
  for (const [label, value] of [
    ["Group size (rollouts per prompt)", "4"],
    ["Prompts per step", "4"],
    ["Steps", String(GRID_STEPS)],
    ["Validation interval", "3"],
    ["Light validation prompts", "32"],
    ["Full evaluation prompts", "64"],
  ] as const) {
    await tabTo(page, page.getByLabel(label, { exact: true }));
    await retype(page, value);
  }
  await expect(page.getByTestId("grid-preview")).toContainText("4 runs = 1 model(s) × 2 reward method(s) × 1 dataset size(s) × 2 seed(s)");
  await page.screenshot({ path: "docs/screenshots/runs-new.png", fullPage: true });
  const submit = page.getByRole("button", { name: "Launch 4 runs" });
  await tabTo(page, submit);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/runs\?experiment=[0-9a-f-]{36}$/);
  experimentUrl = page.url();
  await expect(page.locator("tbody tr[data-run-id]")).toHaveCount(4);
});

test("the runs appear, one is canceled, and a run's charts grow while it trains", async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto(experimentUrl);
  const rows = page.locator("tbody tr[data-run-id]");
  await expect(rows).toHaveCount(4);
  // The runner claims in (createdAt, id) order; the grid shares one createdAt, so id order it is.
  const ids = (await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-run-id")!))).sort();
  await expect(page.getByRole("cell", { name: "ground_truth" })).toHaveCount(2);
  // A ground_truth run's reward accuracy is 1 by construction: no MCS to show, and the cell says why.
  const gtMcs = rows.filter({ hasText: "ground_truth" }).first().getByTestId("run-mcs-cell");
  await expect(gtMcs).toHaveText("n/a");
  await expect(gtMcs).toHaveAttribute("title", /by construction/);

  // Cancel the run the runner would take last: it is still queued, so it is CANCELED at once.
  const last = page.locator(`tr[data-run-id="${ids[3]}"]`);
  await last.getByRole("button", { name: "Cancel" }).click();
  await expect(last.getByTestId("run-status")).toHaveText("CANCELED");
  await expect(page.getByRole("status").filter({ hasText: "Canceled 1 queued run" })).toBeVisible();

  // Watch a run that has not finished yet (the last one still queued, else the running one) until it
  // finishes, without reloading: its status and its charts update live.
  await page.reload();
  const statusOf = async (id: string) => (await page.locator(`tr[data-run-id="${id}"]`).getByTestId("run-status").textContent()) ?? "";
  const live = ids.slice(0, 3);
  const current = await Promise.all(live.map(statusOf));
  const watched = live[current.lastIndexOf("QUEUED")] ?? live[current.indexOf("RUNNING")] ?? ids[2];
  await page.goto(`/runs/${watched}`);
  const chart = page.getByTestId("chart-train/reward_accuracy");
  const status = page.getByTestId("run-status");
  const seen: number[] = [];
  const statuses = new Set<string>();
  const deadline = Date.now() + 200_000;
  while (Date.now() < deadline) {
    seen.push(Number(await chart.getAttribute("data-points")));
    const s = (await status.textContent()) ?? "";
    statuses.add(s);
    if (s === "SUCCEEDED" || s === "FAILED" || s === "CRASHED") break;
    await page.waitForTimeout(300);
  }
  expect([...statuses].at(-1)).toBe("SUCCEEDED");
  await expect(chart).toHaveAttribute("data-points", String(GRID_STEPS), { timeout: 10_000 }); // one point per step
  expect(seen[0]).toBe(0);
  expect(Math.max(...seen)).toBeGreaterThan(0);
  expect(statuses.has("QUEUED") || statuses.has("RUNNING")).toBe(true);

  await expect(page.getByTestId("chart-val/accuracy")).not.toHaveAttribute("data-points", "0");
  await expect(page.getByTestId("run-config").getByRole("row", { name: /groupSize/ })).toContainText("4");
  await expect(page.getByText("Share of rollouts whose reward agrees with the ground truth").first()).toBeVisible();
  await expect(page.getByRole("region", { name: "Log" }).getByRole("row").first()).toBeVisible();
  await page.screenshot({ path: "docs/screenshots/run.png", fullPage: true });

  // Zoom (drag across a chart, or the buttons) asks the server for a narrower step window.
  await chart.scrollIntoViewIfNeeded();
  const box = (await chart.locator(".chart-canvas").boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.35, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
  await page.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await expect(page.getByTestId("zoom-window")).toHaveText(/steps \d+–\d+/);
  await expect(chart).not.toHaveAttribute("data-points", String(GRID_STEPS));
  await page.getByRole("button", { name: "Reset zoom" }).click();
  await expect(page.getByTestId("zoom-window")).toHaveText("all steps");
  await expect(chart).toHaveAttribute("data-points", String(GRID_STEPS));
  await page.getByRole("button", { name: "Zoom in" }).click();
  await expect(page.getByTestId("zoom-window")).toHaveText(/steps \d+–\d+/);
  await page.getByRole("button", { name: "Reset zoom" }).click();
  // Wall-time axis, smoothing and log scale re-draw the same points.
  await page.getByLabel("X axis").selectOption("time");
  await expect(chart).toHaveAttribute("data-points", String(GRID_STEPS));
  await page.getByLabel("Log scale").check();
  await page.getByRole("slider").fill("0.6");
  await expect(page.getByRole("group", { name: "Chart controls" }).locator("output")).toHaveText("0.60");

  await page.goto(experimentUrl);
  await expect(page.locator(`tr[data-run-id="${watched}"]`).getByTestId("run-status")).toHaveText("SUCCEEDED");
  await page.screenshot({ path: "docs/screenshots/runs.png", fullPage: true });
});

test("filters, sort and selection live in the URL and the table; re-queue makes a fresh copy", async ({ page }) => {
  await page.goto("/runs");
  await page.getByLabel("Status").selectOption("CANCELED");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/status=CANCELED/);
  const rows = page.locator("tbody tr[data-run-id]");
  await expect(rows).toHaveCount(1);
  await rows.first().getByRole("button", { name: "Re-queue" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Queued 1 fresh copy" })).toBeVisible();

  await page.goto(experimentUrl);
  await expect(rows).toHaveCount(5);
  await page.getByRole("link", { name: "Seed", exact: true }).click();
  await expect(page).toHaveURL(/sort=seed/);
  await expect(page.locator("th[aria-sort=ascending]")).toHaveText(/Seed/);
  const seeds = await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.children[6]!.textContent)));
  expect(seeds).toEqual([...seeds].sort((a, b) => a - b));

  await rows.nth(0).getByRole("checkbox").check();
  await rows.nth(1).getByRole("checkbox").check();
  const compare = page.getByRole("link", { name: "Compare 2 runs" });
  await expect(compare).toHaveAttribute("href", /^\/compare\?runs=[0-9a-f-]{36},[0-9a-f-]{36}$/);
});

test("a run is deleted from the table, leaves it, and is restored from the deleted runs", async ({ page }) => {
  await page.goto(experimentUrl);
  const rows = page.locator("tbody tr[data-run-id]");
  await expect(rows).toHaveCount(5);
  const done = rows.filter({ has: page.getByTestId("run-status").filter({ hasText: "SUCCEEDED" }) }).first();
  const id = await done.getAttribute("data-run-id");
  await done.getByRole("checkbox").check();
  await page.getByRole("button", { name: "Delete selected" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Deleted 1 run(s)" })).toBeVisible();
  await expect(rows).toHaveCount(4);
  await expect(page.locator(`tr[data-run-id="${id}"]`)).toHaveCount(0);

  await page.goto(`/runs/${id}`);
  await expect(page.getByTestId("run-deleted")).toContainText("hidden from the runs table");

  await page.goto(experimentUrl);
  await page.getByLabel("Show").selectOption("deleted");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/view=deleted/);
  await expect(rows).toHaveCount(1);
  await rows.first().getByRole("checkbox").check();
  await page.getByRole("button", { name: "Restore selected" }).click();
  // It was the only deleted run: the deleted view empties (and the table with its message goes).
  await expect(page.getByText("No run matches these filters.")).toBeVisible();
  await page.goto(experimentUrl);
  await expect(rows).toHaveCount(5);
});
