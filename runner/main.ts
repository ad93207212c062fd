// `npm run runner -- --slots N --devices cpu`: a long-running job runner. Any number of them, on any
// number of machines, serve one Postgres (DATABASE_URL). See runner/README.md.
import { describeConnectionError, requireDatabaseUrl } from "../server/db/connection";
import { checkConnection, createPool } from "../server/db/pool";
import { verifyTables } from "../server/db/migrate";
import { toError } from "./engine/util/to-error";
import { runCommand } from "./engine/cli/args";
import { parseRunnerOptions, RUNNER_USAGE } from "./options";
import { Runner } from "./runner";

async function main(): Promise<void> {
  const options = parseRunnerOptions(process.argv.slice(2));
  if (!options) return void console.log(RUNNER_USAGE);
  const url = requireDatabaseUrl();
  await checkConnection(url);
  const pool = createPool(url, Math.max(4, options.slots + 3));
  try {
    await verifyTables(pool);
  } catch (err) {
    throw new Error(`${toError(err).message}. Run \`npm run db:migrate\` (or start the dashboard once) first.`);
  }
  const runner = new Runner(pool, options, (line) => console.log(`${new Date().toISOString()} [runner] ${line}`));
  let signals = 0;
  const stop = (signal: string) => {
    // Stopping is idempotent (runner.stop() returns the same promise); a third signal is the way out
    // when hand-back cannot finish (for example while the database is down).
    if (++signals >= 3) {
      console.error(`${new Date().toISOString()} [runner] ${signal} again: exiting now; leases will expire and other runners resume the runs`);
      process.exit(130);
    }
    if (signals > 1) {
      console.log(`${new Date().toISOString()} [runner] ${signal}: already stopping (send it once more to exit at once)`);
      return;
    }
    console.log(`${new Date().toISOString()} [runner] ${signal}: stopping (runs are checkpointed and handed back)`);
    void runner
      .stop()
      .then(() => pool.end())
      .then(
        () => process.exit(0),
        (err) => {
          console.error(`[runner] stop failed: ${toError(err).message}`);
          process.exit(1);
        },
      );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  await runner.start();
}

runCommand(main, {
  prefix: "[runner]",
  // A connection failure after start-up (pg's error codes) is named as at start-up.
  explain: (err) => {
    const url = process.env.DATABASE_URL;
    return url && (err as { code?: unknown })?.code ? describeConnectionError(err, url) : toError(err).message;
  },
});
