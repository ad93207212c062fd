// `npm run purge`: removes deleted runs and experiments for good (see server/db/purge.ts). Uses the
// database `npm start` uses (DATABASE_URL, else the embedded one in .data/).
import { parseArgs } from "node:util";
import { prepareDatabase } from "./lib/database";
import { createPool } from "../server/db/pool";
import { purgeDeleted } from "../server/db/purge";

const USAGE = `Usage: npm run purge [-- --older-than-days N] [--batch-points N] [--dry-run]
  Removes runs deleted at least N days ago (default 0: every deleted run) with all their metric
  points, events and checkpoints, then deleted experiments left without runs. Cannot be undone;
  --dry-run counts what would go.`;

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

function number(flag: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < min) fail(`--${flag} must be a number >= ${min} (got "${text}")`);
  return n;
}

let values: { "older-than-days": string; "batch-points": string; "dry-run": boolean; help: boolean };
try {
  ({ values } = parseArgs({
    options: {
      "older-than-days": { type: "string", default: "0" },
      "batch-points": { type: "string", default: "10000" },
      "dry-run": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  }) as { values: typeof values });
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const olderThanDays = number("older-than-days", values["older-than-days"], 0);
const batchPoints = Math.floor(number("batch-points", values["batch-points"], 1));

const log = (msg: string) => console.log(`[purge] ${msg}`);
let db: Awaited<ReturnType<typeof prepareDatabase>>;
try {
  db = await prepareDatabase(log);
} catch (err) {
  console.error(`[purge] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
const pool = createPool(db.url, 2);
let lastPrint = 0;
try {
  const result = await purgeDeleted(pool, {
    olderThanMs: olderThanDays * 86_400_000,
    batchPoints,
    dryRun: values["dry-run"],
    onProgress: (p) => {
      if (Date.now() - lastPrint < 1_000 && p.runsDone < p.runsTotal) return;
      lastPrint = Date.now();
      const left = p.secondsLeft === null ? "" : `, about ${Math.ceil(p.secondsLeft)} s left`;
      log(`run ${Math.min(p.runsDone + 1, p.runsTotal)} of ${p.runsTotal}: ${p.pointsDone} of ${p.pointsTotal} points removed${left}`);
    },
  });
  const verb = values["dry-run"] ? "would remove" : "removed";
  log(`${verb} ${result.runs} run(s), ${result.points} metric point(s), ${result.experiments} experiment(s)`);
  if (result.skipped) log(`left ${result.skipped} deleted run(s) still stopping or restored meanwhile; run it again later`);
} finally {
  await pool.end();
  await db.release();
}
