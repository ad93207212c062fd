// Request bodies. MLflow's Python client serialises non-finite metric values as the strings "NaN",
// "Infinity" and "-Infinity" (protobuf's JSON mapping); a client using Python's json module directly
// may send them as bare tokens, which JSON.parse rejects. Those bare tokens are quoted, only outside
// strings, and then parsed as usual; the metric schema accepts the quoted forms.
import { invalidParameter, MlflowError } from "./errors";
import { toError } from "../errors";

/** MLflow documents 1 MB per request; a little headroom for clients that pretty-print. */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;

export function parseJsonAllowingNonFinite(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (first) {
    const quoted = quoteBareNonFinite(text);
    if (quoted === text) throw first;
    return JSON.parse(quoted);
  }
}

function quoteBareNonFinite(text: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === "\\") out += text[++i] ?? "";
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
      continue;
    }
    const token = ["-Infinity", "Infinity", "NaN"].find((t) => text.startsWith(t, i));
    if (token) {
      out += `"${token}"`;
      i += token.length - 1;
      continue;
    }
    out += c;
  }
  return out;
}

export async function readJsonBody(req: Request): Promise<unknown> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) {
    throw new MlflowError("REQUEST_TOO_LARGE", `Request body of ${declared} bytes is over the limit of ${MAX_BODY_BYTES} bytes; split it into several requests`);
  }
  const text = await req.text();
  if (Buffer.byteLength(text, "utf8") > MAX_BODY_BYTES) {
    throw new MlflowError("REQUEST_TOO_LARGE", `Request body is over the limit of ${MAX_BODY_BYTES} bytes; split it into several requests`);
  }
  if (text.trim() === "") throw invalidParameter("Request body is empty; expected a JSON object");
  let body: unknown;
  try {
    body = parseJsonAllowingNonFinite(text);
  } catch (err) {
    throw new MlflowError("BAD_REQUEST", `Request body is not valid JSON: ${toError(err).message}`);
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw invalidParameter("Request body must be a JSON object");
  }
  return body;
}
