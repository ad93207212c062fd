// The MLflow API on a real HTTP port for tests whose trainers are other processes: a plain Node HTTP
// server in front of the route's handler, as `next start` serves it.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type pg from "pg";
import { handleMlflowRequest } from "../server/ingest/mlflow/router";

export interface MlflowServer {
  /** MLFLOW_TRACKING_URI for the trainer. */
  uri: string;
  close(): Promise<void>;
}

export async function serveMlflowApi(pool: pg.Pool): Promise<MlflowServer> {
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const request = new Request(`http://127.0.0.1${req.url}`, {
      method: req.method,
      headers: req.headers as Record<string, string>,
      body: req.method === "GET" ? undefined : Buffer.concat(chunks),
    });
    const response = await handleMlflowRequest(request, pool);
    res.writeHead(response.status, { "content-type": "application/json" });
    res.end(await response.text());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    uri: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
