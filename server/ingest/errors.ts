// Which database failures are worth retrying. An outage (server stopped, restarted, network cut)
// shows up as Node socket errors or as SQLSTATE classes 08 (connection), 57 (operator intervention:
// admin shutdown, cannot connect now) and 53 (insufficient resources); anything else is a bug or bad
// data and retrying it would only repeat it.

export { toError } from "../../runner/engine/util/to-error";

const NODE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH"]);

export function isTransientDbError(thrown: unknown): boolean {
  const e = thrown as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === "string" ? e.code : "";
  if (NODE_CODES.has(code)) return true;
  if (/^(08|57|53)/.test(code)) return true;
  const message = typeof e?.message === "string" ? e.message : "";
  return /Connection terminated|connection timeout|Client has encountered a connection error|the database system is (starting up|shutting down)|timeout exceeded when trying to connect/i.test(
    message,
  );
}
