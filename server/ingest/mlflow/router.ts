// The MLflow tracking REST API (2.0) under /api/2.0/mlflow/: authenticate, route, parse, handle, and
// turn every failure into MLflow's error shape. Called by app/api/2.0/mlflow/[...path]/route.ts;
// tests call it (through the route's exports) with plain Request objects.
import type pg from "pg";
import { bearerToken, verifyToken } from "../../auth/tokens";
import { toClientError, type ErrorCode } from "../../errors";
import { findUnstorableText } from "../../schemas/storable-text";
import { MlflowError, type MlflowErrorCode } from "./errors";
import { ENDPOINT_METHODS, handlers, type Endpoint } from "./handlers";
import { readJsonBody } from "./json";
import { getIngestPool } from "../../db/clients";

const PREFIX = "/api/2.0/mlflow/";

export async function handleMlflowRequest(req: Request, db: pg.Pool = getIngestPool()): Promise<Response> {
  try {
    const secret = bearerToken(req.headers.get("authorization"));
    if (!secret) {
      throw new MlflowError(
        "UNAUTHENTICATED",
        "Missing API token: send 'Authorization: Bearer <token>' (MLflow clients: set MLFLOW_TRACKING_TOKEN; create one with `npm run token -- create NAME`)",
      );
    }
    if (!(await verifyToken(db, secret))) throw new MlflowError("UNAUTHENTICATED", "Invalid or revoked API token");

    const url = new URL(req.url);
    const at = url.pathname.indexOf(PREFIX);
    const endpoint = (at >= 0 ? url.pathname.slice(at + PREFIX.length) : "").replace(/\/+$/, "");
    if (!Object.hasOwn(handlers, endpoint)) {
      throw new MlflowError("ENDPOINT_NOT_FOUND", `No MLflow endpoint ${req.method} ${url.pathname} here. Served: ${Object.keys(handlers).join(", ")}`);
    }
    const method = ENDPOINT_METHODS[endpoint as Endpoint];
    if (req.method !== method) {
      throw new MlflowError("METHOD_NOT_ALLOWED", `${endpoint} takes ${method}, not ${req.method}`, { Allow: method });
    }
    const input = method === "GET" ? Object.fromEntries(url.searchParams) : ((await readJsonBody(req)) as Record<string, unknown>);
    const unstorable = findUnstorableText(input);
    if (unstorable) throw new MlflowError("INVALID_PARAMETER_VALUE", `Invalid value for parameter '${unstorable.path}': ${unstorable.problem}`);
    const body = await handlers[endpoint as Endpoint](db, input);
    return Response.json(body);
  } catch (thrown) {
    if (thrown instanceof MlflowError) return thrown.toResponse();
    const err = toClientError(thrown, `mlflow ${req.method} ${new URL(req.url).pathname}`);
    return new MlflowError(MLFLOW_CODE[err.code], err.message).toResponse();
  }
}

/** The product's error codes in MLflow's vocabulary (server/errors.ts is the one error path). */
const MLFLOW_CODE: Record<ErrorCode, MlflowErrorCode> = {
  INVALID_INPUT: "INVALID_PARAMETER_VALUE",
  NOT_FOUND: "RESOURCE_DOES_NOT_EXIST",
  UNAUTHENTICATED: "UNAUTHENTICATED",
  FORBIDDEN: "PERMISSION_DENIED",
  CONFLICT: "RESOURCE_ALREADY_EXISTS",
  UNAVAILABLE: "TEMPORARILY_UNAVAILABLE",
  INTERNAL: "INTERNAL_ERROR",
};
