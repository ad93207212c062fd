// The one error path of the dashboard's server. Services throw AppError with a code; every boundary
// (tRPC in server/api/trpc.ts, the MLflow API in server/ingest/mlflow/router.ts, the CSV exports)
// turns whatever was thrown into a ClientError with `toClientError` and only maps its code to its own
// status. Clients see a domain error's message, "the database is unreachable", or a generic message
// with a request id; the log holds one line per unexpected error with that id and the cause.
import { randomUUID } from "node:crypto";
import { isTransientDbError, toError } from "./ingest/errors";
import { findUnstorableText } from "./schemas/storable-text";

export type ErrorCode = "INVALID_INPUT" | "NOT_FOUND" | "UNAUTHENTICATED" | "FORBIDDEN" | "CONFLICT" | "UNAVAILABLE" | "INTERNAL";

export const HTTP_STATUS: Record<ErrorCode, number> = {
  INVALID_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INTERNAL: 500,
  UNAVAILABLE: 503,
};

/** Field path ("ids", "hyper.lr") -> messages, as forms show them next to their fields. */
export type FieldErrors = Record<string, string[]>;

/** An error whose message is meant for the client. */
export class AppError extends Error {
  override name = "AppError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fieldErrors: FieldErrors | null = null,
  ) {
    super(message);
  }
}

export const notFound = (message: string) => new AppError("NOT_FOUND", message);

/** An input problem tied to fields; the message lists them all. */
export function invalidInput(fieldErrors: FieldErrors): AppError {
  const message = Object.entries(fieldErrors)
    .map(([field, messages]) => `${field}: ${messages.join("; ")}`)
    .join("; ");
  return new AppError("INVALID_INPUT", message, fieldErrors);
}

/** The input error for text Postgres cannot store anywhere in `input`, or null when all of it can be stored. */
export function unstorableInput(input: unknown): AppError | null {
  const bad = findUnstorableText(input);
  return bad ? invalidInput({ [bad.field]: [`${bad.path} ${bad.problem}`] }) : null;
}

export const DATABASE_UNREACHABLE = "The database is unreachable; retry shortly";

/**
 * Whatever was thrown, as a client may see it. Unexpected errors get a request id, and one log line
 * (`[error] <where> request <id>: <name>: <first line of the message>`) so the log stays readable
 * during an outage that fails every request.
 */
export function toClientError(thrown: unknown, where: string): AppError & { requestId?: string } {
  if (thrown instanceof AppError) return thrown;
  if (isTransientDbError(thrown) || isTransientDbError((thrown as { cause?: unknown } | null)?.cause)) {
    return new AppError("UNAVAILABLE", DATABASE_UNREACHABLE);
  }
  const err = toError(thrown);
  const requestId = randomUUID().slice(0, 8);
  console.error(`[error] ${where} request ${requestId}: ${err.name}: ${errorSummary(err)}`);
  return Object.assign(new AppError("INTERNAL", `Internal error (request ${requestId}); the server log has the details`), { requestId });
}

/**
 * One line that says what went wrong. Prisma's messages start with a blank line and an
 * "Invalid `prisma.x()` invocation" preamble and end with the cause, so theirs is the last line.
 */
export function errorSummary(err: Error): string {
  const lines = err.message
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const line = err.name.startsWith("PrismaClient") ? lines.at(-1) : lines[0];
  // A raw query's failure wraps the cause: "Raw query failed. Code: `N/A`. Message: `<cause>`".
  return line?.match(/Message: `(.+)`$/)?.[1] ?? line ?? "(no message)";
}

/**
 * A server-rendered page's data, with the same error path: the page's error boundary (app/error.tsx)
 * gets a domain error or "database unreachable", and Next's own log of it stays one line (its stack
 * is cut to the message; the cause was logged once by toClientError, or is the outage itself).
 */
export async function pageData<T>(page: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (thrown) {
    const err = toClientError(thrown, `page ${page}`);
    err.stack = `${err.name} [${err.code}]: ${err.message}`;
    throw err;
  }
}
