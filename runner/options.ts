// Command-line flags of `npm run runner`, each with an environment fallback (URLVR_*), validated
// once with zod so a typo fails at start with a message instead of misbehaving later.
import { parseArgs } from "node:util";
import { z } from "zod";
import { DEVICES } from "./engine/train/config";

const ms = (what: string) => z.coerce.number().int(`${what} must be whole milliseconds`).positive(`${what} must be positive`);

export const runnerOptionsSchema = z
  .object({
    /** Runs executed at once, each in its own worker process. */
    slots: z.coerce.number().int().min(1, "--slots must be at least 1").max(256),
    /** Devices the slots are pinned to, round-robin: "cpu", or "cpu,webgpu". */
    devices: z.array(z.enum(DEVICES, { error: `--devices takes a comma list of ${DEVICES.join(", ")}` })).min(1),
    /** Lease renewal period. */
    heartbeatMs: ms("--heartbeat-ms"),
    /** A run whose lease is not renewed for this long is presumed orphaned and may be reclaimed. */
    leaseMs: ms("--lease-ms"),
    /** How often an idle slot asks for work. */
    pollMs: ms("--poll-ms"),
    /** How often cancel requests are checked (the dashboard promises a stop within 5 s). */
    cancelPollMs: ms("--cancel-poll-ms"),
    /** On SIGTERM, how long workers get to checkpoint before they are killed. */
    shutdownGraceMs: ms("--shutdown-grace-ms"),
    /** After a cancel, how long a worker gets to stop before it is killed. */
    cancelGraceMs: ms("--cancel-grace-ms"),
    /** Where outside trainers send their metrics (MLFLOW_TRACKING_URI): the dashboard's address. */
    trackingUri: z.url("--tracking-uri must be a URL such as http://host:3000"),
    /**
     * The step watchdog's floor: a worker with no step (nor validation chunk) for max(this, 20 x its
     * median step) is killed, a failed attempt. Generous by default: before the first step come
     * process start, model loading and the step-0 evaluation, on the slowest device.
     */
    stallMs: ms("--stall-ms"),
    /** Runner rows not seen for this long are deleted (by any live runner). */
    runnerRetentionMs: ms("--runner-retention-ms"),
    /** The metric buffer's bound: above it, workers are held until the database has caught up. */
    maxBufferedPoints: z.coerce.number().int("--max-buffered-points must be a whole number").min(1, "--max-buffered-points must be at least 1"),
  })
  .refine((o) => o.leaseMs >= 2 * o.heartbeatMs, {
    message: "--lease-ms must be at least twice --heartbeat-ms, or one slow heartbeat loses the lease",
  })
  .refine((o) => o.runnerRetentionMs > o.leaseMs, {
    message: "--runner-retention-ms must be longer than --lease-ms",
  });

export type RunnerOptions = z.infer<typeof runnerOptionsSchema>;

export const USAGE = `Usage: npm run runner -- [--slots N] [--devices cpu[,webgpu]] [--heartbeat-ms 10000] [--lease-ms 60000]
       [--poll-ms 1000] [--cancel-poll-ms 1000] [--shutdown-grace-ms 30000] [--cancel-grace-ms 3000]
       [--tracking-uri http://localhost:3000] [--stall-ms 600000] [--runner-retention-ms 604800000]
       [--max-buffered-points 1000000]
Needs DATABASE_URL. Every flag also reads URLVR_<FLAG> (e.g. URLVR_SLOTS, URLVR_LEASE_MS).`;

export function parseRunnerOptions(argv: string[], env: Record<string, string | undefined> = process.env): RunnerOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      slots: { type: "string" },
      devices: { type: "string" },
      "heartbeat-ms": { type: "string" },
      "lease-ms": { type: "string" },
      "poll-ms": { type: "string" },
      "cancel-poll-ms": { type: "string" },
      "shutdown-grace-ms": { type: "string" },
      "cancel-grace-ms": { type: "string" },
      "tracking-uri": { type: "string" },
      "stall-ms": { type: "string" },
      "runner-retention-ms": { type: "string" },
      "max-buffered-points": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const pick = (flag: keyof typeof values, envName: string, fallback: string) =>
    (values[flag] as string | undefined) ?? env[envName] ?? fallback;
  const result = runnerOptionsSchema.safeParse({
    slots: pick("slots", "URLVR_SLOTS", "1"),
    devices: pick("devices", "URLVR_DEVICES", "cpu")
      .split(",")
      .map((d) => d.trim())
      .filter(Boolean),
    heartbeatMs: pick("heartbeat-ms", "URLVR_HEARTBEAT_MS", "10000"),
    leaseMs: pick("lease-ms", "URLVR_LEASE_MS", "60000"),
    pollMs: pick("poll-ms", "URLVR_POLL_MS", "1000"),
    cancelPollMs: pick("cancel-poll-ms", "URLVR_CANCEL_POLL_MS", "1000"),
    shutdownGraceMs: pick("shutdown-grace-ms", "URLVR_SHUTDOWN_GRACE_MS", "30000"),
    cancelGraceMs: pick("cancel-grace-ms", "URLVR_CANCEL_GRACE_MS", "3000"),
    trackingUri: pick("tracking-uri", "URLVR_TRACKING_URI", "http://localhost:3000"),
    stallMs: pick("stall-ms", "URLVR_STALL_MS", "600000"),
    runnerRetentionMs: pick("runner-retention-ms", "URLVR_RUNNER_RETENTION_MS", String(7 * 24 * 3_600_000)),
    maxBufferedPoints: pick("max-buffered-points", "URLVR_MAX_BUFFERED_POINTS", "1000000"),
  });
  if (!result.success) throw new Error(`${z.prettifyError(result.error)}\n${USAGE}`);
  return result.data;
}
