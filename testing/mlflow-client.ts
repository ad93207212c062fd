// The MLflow API as a client calls it, for tests: the route's own handlers with real Request objects
// (GET with a query string, POST with a JSON body) and a bearer token.
import { GET, POST } from "../app/api/2.0/mlflow/[...path]/route";

export interface MlflowReply {
  status: number;
  /** Tests read MLflow's replies field by field, so the body is left untyped. */
  json: any;
}

/** `call(endpoint, "a=1&b=2")` GETs, `call(endpoint, {...})` POSTs; a null token sends no credentials. */
export function mlflowCaller(token: string | null) {
  return async (endpoint: string, body?: unknown): Promise<MlflowReply> => {
    const url = `http://lab.test/api/2.0/mlflow/${endpoint}${typeof body === "string" && body ? `?${body}` : ""}`;
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    const init = { headers };
    const res =
      body === undefined || typeof body === "string"
        ? await GET(new Request(url, init))
        : await POST(new Request(url, { ...init, method: "POST", body: JSON.stringify(body) }));
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  };
}
