import { expect, test } from "@playwright/test";

// Walks the navigation as a person would. The pages with content of their own are photographed for
// the README by their own specs (runs, leaderboard); this one keeps the home and health pages.
const PAGES = [
  { link: "Runs", path: "/runs", heading: "Runs" },
  { link: "Launch", path: "/runs/new", heading: "Launch runs" },
  { link: "Compare", path: "/compare", heading: "Compare runs" },
  { link: "Leaderboard", path: "/leaderboard", heading: "Leaderboard" },
  { link: "Models", path: "/models", heading: "Base models" },
  { link: "Health", path: "/health", heading: "Health" },
  { link: "Settings", path: "/settings", heading: "Settings" },
];

test("the navigation reaches every page, and health shows a live database", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "URLVR Lab" })).toBeVisible();
  await page.screenshot({ path: "docs/screenshots/home.png", fullPage: true });
  const nav = page.getByRole("navigation", { name: "Main" });
  for (const p of PAGES) {
    await nav.getByRole("link", { name: p.link, exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`${p.path}$`));
    await expect(page.getByRole("heading", { level: 1, name: p.heading })).toBeVisible();
    if (p.path === "/health") {
      await expect(page.getByTestId("db-status")).toHaveText("Connected");
      await page.screenshot({ path: "docs/screenshots/health.png", fullPage: true });
    }
  }
});
