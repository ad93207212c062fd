// The flags of `npm run runner`, in one table: the schema below gives each flag its check, its default
// and its help. --help is generated from it, each flag's environment fallback (URLVR_<FLAG>) is named
// from it, and runner/README.md's list of flags is checked against it (runner/cli.test.ts).
import { z } from "zod";
import { describeFlags, flagTable, kebab, parseCommandLine } from "./engine/cli/args";
import { DEVICES } from "./engine/train/config";

const ms = (fallback: number, help: string) =>
  z.number().int("must be whole milliseconds").positive("must be positive").default(fallback).describe(help);

export const runnerFlagsSchema = z
  .object({
    slots: z.number().int("must be a whole number").min(1, "must be at least 1").max(256).default(1).describe("runs executed at once, each in its own worker process"),
    devices: z
      .string()
      .transform((list) => list.split(",").map((d) => d.trim()).filter(Boolean))
      .pipe(z.array(z.enum(DEVICES, { error: `takes a comma list of ${DEVICES.join(", ")}` })).min(1, `takes a comma list of ${DEVICES.join(", ")}`))
      .prefault("cpu")
      .describe("the devices the slots are pinned to, a comma list: slot i uses device i mod n"),
    heartbeatMs: ms(10_000, "how often the runner renews its runs' leases"),
    leaseMs: ms(60_000, "a run whose lease is not renewed for this long may be claimed by another runner"),
    pollMs: ms(1_000, "how often an idle slot asks for work"),
    cancelPollMs: ms(1_000, "how often cancel requests are checked (the dashboard promises a stop within 5 s)"),
    shutdownGraceMs: ms(30_000, "on SIGTERM, how long workers get to checkpoint before they are killed"),
    cancelGraceMs: ms(3_000, "after a cancel, how long a worker gets to stop before it is killed"),
    trackingUri: z
      .url("must be a URL such as http://host:3000")
      .default("http://localhost:3000")
      .describe("where outside trainers send their metrics (MLFLOW_TRACKING_URI): the dashboard's address"),
    // Generous by default: before the first step come process start, model loading and the step-0
    // evaluation, on the slowest device.
    stallMs: ms(600_000, "the step watchdog's floor: a worker with no progress for max(this, 20 x its median step) is killed"),
    runnerRetentionMs: ms(7 * 24 * 3_600_000, "runner rows not seen for this long (7 days by default) are deleted by any live runner"),
    maxBufferedPoints: z
      .number()
      .int("must be a whole number")
      .min(1, "must be at least 1")
      .default(1_000_000)
      .describe("the metric buffer's bound: above it, workers are held until the database has caught up"),
  })
  .strict()
  .refine((o) => o.leaseMs >= 2 * o.heartbeatMs, {
    message: "--lease-ms must be at least twice --heartbeat-ms, or one slow heartbeat loses the lease",
  })
  .refine((o) => o.runnerRetentionMs > o.leaseMs, {
    message: "--runner-retention-ms must be longer than --lease-ms",
  });

export type RunnerOptions = z.infer<typeof runnerFlagsSchema>;

/** The environment variable that stands in for a flag: URLVR_ and the flag in capitals. */
export const envName = (key: string) => `URLVR_${kebab(key).replaceAll("-", "_").toUpperCase()}`;

/** Every flag with its environment variable, default and help: the rows of runner/README.md's table. */
export const RUNNER_FLAGS = flagTable(runnerFlagsSchema).map((f) => ({ ...f, env: envName(f.key) }));

export const RUNNER_USAGE = `Usage: npm run runner -- [flags]
Needs DATABASE_URL. Every flag also reads URLVR_<FLAG> (e.g. URLVR_SLOTS, URLVR_LEASE_MS); a flag wins.

${describeFlags(runnerFlagsSchema)}`;

/** The runner's options from its flags and their environment fallbacks; null when --help asks for the usage. */
export function parseRunnerOptions(argv: string[], env: Record<string, string | undefined> = process.env): RunnerOptions | null {
  const fallbacks = Object.fromEntries(RUNNER_FLAGS.map((f) => [f.key, env[f.env]]));
  const { values, help } = parseCommandLine(argv, runnerFlagsSchema, {}, { fallbacks });
  return help ? null : values;
}
