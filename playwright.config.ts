import { defineConfig } from "@playwright/test";
import { E2E_PG_PORT } from "./scripts/lib/ports";

// The browser tests drive Debian's Chromium (apt package `chromium`) against the real product: the
// same start command a user runs, with its own embedded Postgres, data folder and build folder.
const PORT = Number(process.env.E2E_PORT ?? 3100);

export default defineConfig({
  testDir: "e2e",
  timeout: 60_000,
  retries: 0,
  workers: 1,
  reporter: [["list"]],
  use: {
    baseURL: `http://localhost:${PORT}`,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
      ],
    },
  },
  webServer: {
    command: `bash scripts/start.sh --port ${PORT}`,
    url: `http://localhost:${PORT}/api/trpc/health.status`,
    // A fresh clone builds the dashboard and measures the runner's size first (README, "Your first hour").
    timeout: 360_000,
    reuseExistingServer: false,
    stdout: "pipe",
    env: {
      URLVR_PG_PORT: process.env.E2E_PG_PORT ?? String(E2E_PG_PORT),
      URLVR_DATA_DIR: ".data/e2e-postgres",
      NEXT_DIST_DIR: ".next-test",
    },
    gracefulShutdown: { signal: "SIGTERM", timeout: 30_000 },
  },
});
