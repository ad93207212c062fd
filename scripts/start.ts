// `npm start`: database (embedded unless DATABASE_URL), migrations, seed, the dashboard and one
// runner. Ctrl-C stops all of it. `npm run dev` does the same with Next's dev server.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { z } from "zod";
import { describeFlags, orUsageExit, parseCommandLine } from "../runner/engine/cli/args";
import { EMBEDDED_DATA_DIR, prepareDatabase } from "./lib/database";
import { buildIsStale } from "./lib/build-freshness";
import { seedDatabase } from "../prisma/seed";
import { sizeRunner } from "../runner/sizing";
import { isLoopbackHost, listenRefusal } from "./lib/listen";
import { createPrisma } from "../server/db/prisma";

const log = (msg: string) => console.log(`[start] ${msg}`);

const tcpPort = "must be a TCP port number";
const startFlagsSchema = z
  .object({
    dev: z.boolean().default(false).describe("Next's dev server instead of the production build"),
    port: z.number().int(tcpPort).min(1, tcpPort).max(65535, tcpPort).default(3000).describe("the dashboard's port (PORT)"),
    host: z.string().default("127.0.0.1").describe("the address it listens on (URLVR_HOST); others need URLVR_ADMIN_PASSWORD"),
    noRunner: z.boolean().default(false).describe("start no runner"),
  })
  .strict();

const USAGE = `usage: npm start -- [--port N] [--host ADDRESS] [--no-runner]   (npm run dev: the same with --dev)

${describeFlags(startFlagsSchema)}`;

const flags = orUsageExit(() =>
  parseCommandLine(process.argv.slice(2), startFlagsSchema, {}, { fallbacks: { port: process.env.PORT, host: process.env.URLVR_HOST } }),
);
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}
const values = flags.values;
const { port, host } = values;
const hostProblem = listenRefusal(host, process.env.URLVR_ADMIN_PASSWORD);
if (hostProblem) {
  console.error(`[start] ${hostProblem}`);
  process.exit(2);
}

let db: Awaited<ReturnType<typeof prepareDatabase>>;
try {
  db = await prepareDatabase(log);
  const prisma = createPrisma(db.url);
  try {
    const seeded = await seedDatabase(prisma);
    log(`base models: ${seeded.join(", ") || "none found in models/"}`);
  } finally {
    await prisma.$disconnect();
  }
} catch (err) {
  console.error(`[start] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}

const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: db.url, NEXT_TELEMETRY_DISABLED: "1" };
const bin = (name: string) => `node_modules/.bin/${name}`;

if (!values.dev && buildIsStale(process.env.NEXT_DIST_DIR || ".next")) {
  log("building the dashboard (next build)...");
  const built = spawnSync(bin("next"), ["build"], { stdio: "inherit", env });
  if (built.status !== 0) {
    console.error("[start] next build failed; see the output above");
    await db.stop();
    process.exit(1);
  }
}

/** Where the runner's measured size is kept (per machine; see runner/sizing.ts). */
const SIZING_FILE = ".data/runner-sizing.json";

/** URLVR_SLOTS when the user set it, else the size measured for this machine (one slot if that fails). */
async function runnerSlots(): Promise<string> {
  if (process.env.URLVR_SLOTS) {
    log(`runner: ${process.env.URLVR_SLOTS} slot(s), from URLVR_SLOTS`);
    return process.env.URLVR_SLOTS;
  }
  try {
    const sizing = await sizeRunner(SIZING_FILE, log);
    log(`runner: ${sizing.slots} slot(s) x ${sizing.threadsPerRun} thread(s): ${sizing.reason}. Set URLVR_SLOTS to choose otherwise; delete ${SIZING_FILE} to measure again.`);
    return String(sizing.slots);
  } catch (err) {
    log(`runner: 1 slot (the sizing measurement failed: ${err instanceof Error ? err.message : String(err)})`);
    return "1";
  }
}

// Measured before anything else starts, so the measurement has the cores to itself.
if (!values.noRunner) env.URLVR_SLOTS = await runnerSlots();

const children = new Set<ChildProcess>();
let stopping = false;

function launch(name: string, cmd: string, args: string[], onExit: (code: number | null) => void): ChildProcess {
  const child = spawn(cmd, args, { stdio: ["ignore", "inherit", "inherit"], env });
  children.add(child);
  child.on("exit", (code) => {
    children.delete(child);
    if (!stopping) onExit(code);
  });
  child.on("error", (err) => console.error(`[start] ${name}: ${err.message}`));
  return child;
}

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  log("stopping...");
  const exited = [...children].map((c) => new Promise((r) => c.once("exit", r)));
  for (const c of children) c.kill("SIGTERM");
  // The runner checkpoints and hands its runs back on SIGTERM; give it time, then insist.
  const timer = setTimeout(() => children.forEach((c) => c.kill("SIGKILL")), 20_000);
  await Promise.all(exited);
  clearTimeout(timer);
  await db.stop();
  log("stopped");
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

launch("dashboard", bin("next"), [values.dev ? "dev" : "start", "-p", String(port), "-H", host], (code) => {
  console.error(`[start] the dashboard exited (code ${code}); stopping everything`);
  void shutdown(1);
});

let runnerRestarts = 0;
function startRunner(): void {
  // Node itself with tsx's loader (not the tsx wrapper, which would sit between us and the runner and
  // could leave the runner orphaned if the wrapper were killed).
  launch("runner", process.execPath, ["--import", "tsx", "runner/main.ts"], (code) => {
    // The runner hands its runs back before it exits, so a restart loses nothing; bounded so a
    // runner that cannot start does not spin.
    if (runnerRestarts++ < 5) {
      console.error(`[start] the runner exited (code ${code}); restarting it`);
      setTimeout(startRunner, 2_000);
    } else {
      console.error(`[start] the runner keeps exiting (code ${code}); the dashboard stays up without it`);
    }
  });
}
if (!values.noRunner) startRunner();

const url = `http://${isLoopbackHost(host) ? "localhost" : host.includes(":") ? `[${host}]` : host}:${port}`;
// A wildcard address is reached through loopback.
const probe = host === "0.0.0.0" || host === "::" ? `http://127.0.0.1:${port}` : url;
for (let i = 0; i < 600 && !stopping; i++) {
  try {
    const res = await fetch(`${probe}/api/trpc/health.status`);
    if (res.ok) break;
  } catch {
    // not listening yet
  }
  await new Promise((r) => setTimeout(r, 200));
}
if (!stopping) {
  const reach = isLoopbackHost(host) ? "this machine only; --host to serve others" : `every client that reaches ${host}; changes need the admin password`;
  log(`URLVR Lab is running at ${url}  (listening for ${reach}; database: ${db.embedded ? `embedded PostgreSQL in ${EMBEDDED_DATA_DIR}` : "DATABASE_URL"}; Ctrl-C stops)`);
  if (process.env.DISPLAY && process.stdout.isTTY) spawn("xdg-open", [url], { stdio: "ignore", detached: true }).on("error", () => {});
}
