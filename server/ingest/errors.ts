// Which database failures are worth retrying. An outage (server stopped, restarted, network cut)
// shows up as Node socket errors or as SQLSTATE classes 08 (connection), 57 (operator intervention:
// admin shutdown, cannot connect now) and 53 (insufficient resources); anything else is a bug or bad
// data and retrying it would only repeat it.

export { toError } from "../../runner/engine/util/to-error";

const NODE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH"]);
// Prisma's own codes for the same: cannot reach, timed out, connection closed, pool timeout; and the
// kinds its pg driver adapter reports (meta.driverAdapterError.cause.kind).
const PRISMA_CODES = new Set(["P1001", "P1002", "P1017", "P2024"]);
const ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);

export function isTransientDbError(thrown: unknown): boolean {
  const e = thrown as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === "string" ? e.code : "";
  if (NODE_CODES.has(code) || PRISMA_CODES.has(code)) return true;
  const kind = (e as { meta?: { driverAdapterError?: { cause?: { kind?: unknown } } } } | null)?.meta?.driverAdapterError?.cause?.kind;
  if (typeof kind === "string" && ADAPTER_KINDS.has(kind)) return true;
  if (/^(08|57|53)/.test(code)) return true;
  const message = typeof e?.message === "string" ? e.message : "";
  return /Connection terminated|connection timeout|Can't reach database server|Client has encountered a connection error|the database system is (starting up|shutting down)|timeout exceeded when trying to connect/i.test(
    message,
  );
}
