// The MLflow tracking REST API (2.0) under /api/2.0/mlflow/: authenticate, route, parse, handle, and
// turn every failure into MLflow's error shape. Called by app/api/2.0/mlflow/[...path]/route.ts;
// tests call it (through the route's exports) with plain Request objects.
import type pg from "pg";
import { bearerToken, verifyToken } from "../../auth/tokens";
import { isTransientDbError, toError } from "../errors";
import { MlflowError } from "./errors";
import { ENDPOINT_METHODS, handlers, type Endpoint } from "./handlers";
import { readJsonBody } from "./json";
import { getIngestPool } from "./pool";

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
    const body = await handlers[endpoint as Endpoint](db, input);
    return Response.json(body);
  } catch (thrown) {
    if (thrown instanceof MlflowError) return thrown.toResponse();
    if (isTransientDbError(thrown)) {
      return new MlflowError("TEMPORARILY_UNAVAILABLE", "The database is unavailable; retry shortly").toResponse();
    }
    console.error(`[mlflow-api] ${req.method} ${req.url}: ${toError(thrown).stack}`);
    return new MlflowError("INTERNAL_ERROR", "Internal error; the server log has the details").toResponse();
  }
}
