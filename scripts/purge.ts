// `npm run purge`: removes deleted runs and experiments for good (see server/db/purge.ts). Uses the
// database `npm start` uses (DATABASE_URL, else the embedded one in .data/).
import { z } from "zod";
import { parseCommandLine, runCommand } from "../runner/engine/cli/args";
import { prepareDatabase } from "./lib/database";
import { createPool } from "../server/db/pool";
import { purgeDeleted } from "../server/db/purge";

const USAGE = `Usage: npm run purge [-- --older-than-days N] [--batch-points N] [--dry-run]
  Removes runs deleted at least N days ago (default 0: every deleted run) with all their metric
  points, events and checkpoints, then deleted experiments left without runs. Cannot be undone;
  --dry-run counts what would go.`;

const purgeFlagsSchema = z
  .object({
    olderThanDays: z.number().min(0).default(0),
    batchPoints: z.number().min(1).default(10_000),
    dryRun: z.boolean().default(false),
  })
  .strict();

const log = (msg: string) => console.log(`[purge] ${msg}`);

async function main(argv: string[]): Promise<void> {
  const { values, help } = parseCommandLine(argv, purgeFlagsSchema);
  if (help) return void console.log(USAGE);
  const db = await prepareDatabase(log);
  const pool = createPool(db.url, 2);
  let lastPrint = 0;
  try {
    const result = await purgeDeleted(pool, {
      olderThanMs: values.olderThanDays * 86_400_000,
      batchPoints: Math.floor(values.batchPoints),
      dryRun: values.dryRun,
      onProgress: (p) => {
        // At most a line a second; the last one is the summary below.
        if (Date.now() - lastPrint < 1_000 || p.runsDone === p.runsTotal) return;
        lastPrint = Date.now();
        const left = p.secondsLeft === null ? "" : `, about ${Math.ceil(p.secondsLeft)} s left`;
        log(`run ${Math.min(p.runsDone + 1, p.runsTotal)} of ${p.runsTotal}: ${p.pointsDone} of ${p.pointsTotal} points removed${left}`);
      },
    });
    const verb = values.dryRun ? "would remove" : "removed";
    log(`${verb} ${result.runs} run(s), ${result.points} metric point(s), ${result.experiments} experiment(s)`);
    if (result.skipped) log(`left ${result.skipped} deleted run(s) still stopping or restored meanwhile; run it again later`);
  } finally {
    await pool.end();
    await db.release();
  }
}

runCommand(() => main(process.argv.slice(2)), { prefix: "[purge]" });
