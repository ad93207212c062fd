import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname),
      // Next's guard against importing server modules into client bundles; tests are server-side.
      "server-only": path.resolve(import.meta.dirname, "testing/server-only.ts"),
    },
  },
  test: {
    include: ["runner/**/*.test.ts", "server/**/*.test.ts", "scripts/**/*.test.ts", "prisma/**/*.test.ts", "study/**/*.test.ts"],
    globalSetup: ["testing/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Engine tests are CPU-heavy and the machine has two cores; run files one at a time.
    fileParallelism: false,
  },
});
